package io.ipc4j.mq;

import java.io.IOException;

/**
 * How to create a POSIX queue: {@code PosixMessageQueue.create("/q").maxMessages(10).messageSize(512).open()}.
 * Unset sizes are the machine's defaults (fs.mqueue.msg_default and msgsize_default).
 */
public final class PosixQueueOptions {
    private final String name;
    private int maxMessages;
    private int messageSize;
    private int mode = 0600;
    private boolean exclusive;
    private Access access = Access.READ_WRITE;

    PosixQueueOptions(String name) {
        this.name = name;
    }

    /**
     * mq_maxmsg, at most fs.mqueue.msg_max (10 on many machines, even for root).
     *
     * @param maxMessages the most messages the queue holds
     * @return these options, for chaining
     */
    public PosixQueueOptions maxMessages(int maxMessages) {
        if (maxMessages <= 0) {
            throw new IllegalArgumentException("maxMessages must be positive: " + maxMessages);
        }
        this.maxMessages = maxMessages;
        return this;
    }

    /**
     * mq_msgsize in bytes, at most fs.mqueue.msgsize_max (8192 on many machines).
     *
     * @param messageSize the largest message in bytes
     * @return these options, for chaining
     */
    public PosixQueueOptions messageSize(int messageSize) {
        if (messageSize <= 0) {
            throw new IllegalArgumentException("messageSize must be positive: " + messageSize);
        }
        this.messageSize = messageSize;
        return this;
    }

    /**
     * Permission bits, default 0600 (filtered by the umask, as for files).
     *
     * @param mode the permission bits, such as {@code 0600}
     * @return these options, for chaining
     */
    public PosixQueueOptions mode(int mode) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        this.mode = mode;
        return this;
    }

    /**
     * Fail with FileAlreadyExistsException if the queue exists (O_EXCL), instead of opening it.
     *
     * @return these options, for chaining
     */
    public PosixQueueOptions exclusive() {
        this.exclusive = true;
        return this;
    }

    /**
     * Opens for reading, writing or both (default: both).
     *
     * @param access read-only, write-only or read-write
     * @return these options, for chaining
     */
    public PosixQueueOptions access(Access access) {
        this.access = access;
        return this;
    }

    /**
     * Creates the queue, or opens it if it exists and {@link #exclusive()} was not asked for.
     *
     * @return the {@code PosixMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PosixMessageQueue open() throws IOException {
        if ((maxMessages == 0) != (messageSize == 0)) {
            // mq_open takes both or neither; fill the other from the machine's defaults.
            MqLimits limits = MqLimits.current();
            maxMessages = maxMessages == 0 ? (int) limits.posixDefaultMessages() : maxMessages;
            messageSize = messageSize == 0 ? (int) limits.posixDefaultMessageSize() : messageSize;
        }
        int flags = access.flags | 0100 | (exclusive ? 0200 : 0);
        return PosixMessageQueue.open(name, flags, mode, maxMessages, messageSize, true);
    }
}
