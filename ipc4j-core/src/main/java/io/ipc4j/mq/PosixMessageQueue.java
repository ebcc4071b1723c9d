package io.ipc4j.mq;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;
import io.ipc4j.internal.posix.MessageQueueCalls;
import io.ipc4j.internal.posix.SyncCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A POSIX message queue (mq_overview(7)): messages with priorities, kept in the kernel under a name such as
 * {@code /orders}, shared with any process (C, Python, Java) that opens the same name.
 *
 * <pre>{@code
 * try (PosixMessageQueue q = PosixMessageQueue.create("/orders").maxMessages(10).messageSize(256).open()) {
 *     q.send(ByteBuffer.wrap(bytes), 5, Duration.ofSeconds(1));     // priority 5
 *     int priority = q.receive(buffer, Duration.ofSeconds(1));      // highest priority first
 * } finally {
 *     PosixMessageQueue.unlink("/orders");                           // the queue outlives every process
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Order: highest priority first; first in, first out within a priority (the kernel's order).</li>
 * <li>Waiting: a call with a timeout waits in poll(2) on the descriptor (Linux queue descriptors are
 * pollable), on the monotonic clock: mq_timedsend/mq_timedreceive's deadline is on the wall clock, which can
 * jump. A call without one, on a platform thread, sleeps in the kernel as C's mq_receive and mq_send do (the
 * descriptor is in blocking mode; a close or an interrupt from another thread ends it at once, with a signal);
 * a receive's sleep is cut into 200 ms slices of the wall clock to check for removal. A virtual thread waiting
 * here parks and leaves its carrier free; the {@code try...} forms never wait (they pass a deadline long
 * past). {@link #awaitMessage} waits without taking the message, and
 * {@link #fd()} can go into your own poll loop; arrival notification by mq_notify is not offered, since it
 * is one registration per queue machine-wide, one-shot, and runs on threads foreign to the JVM.</li>
 * <li>Removal: a receiver waiting on a queue that is unlinked learns it within 200 ms, once the queue is
 * empty ({@link QueueRemovedException}); processes that still hold it open can use it until they close it.</li>
 * <li>No allocation per message: receives go into the caller's buffer (straight into a direct one, through a
 * buffer of this handle for a heap one). As with mq_receive(3) itself, the buffer must have room for the
 * queue's largest message ({@link #messageSize()}); a smaller one is refused before anything is taken
 * ({@link BufferTooSmallException}), so no message is ever held back in a handle or lost with it.
 * {@link #receiveMessage} always fits, and allocates the message.</li>
 * <li>Thread-safe: sends are serialised, and so are receives; a send and a receive may run at once.
 * {@link #close()} from another thread ends their waits within 200 ms.</li>
 * </ul>
 */
public final class PosixMessageQueue implements NativeDescriptor {
    static {
        Handles.register(PosixMessageQueue.class, queue -> queue.handle);
    }

    /** The highest priority Linux accepts (MQ_PRIO_MAX - 1). */
    public static final int MAX_PRIORITY = 32767;

    private final String name;
    private final FdHandle handle;
    private final long maxMessages;
    private final int messageSize;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Segments over the buffers sent from (under sendLock) and received into (under receiveLock). */
    private final BufferSegments sources = new BufferSegments();
    private final BufferSegments targets = new BufferSegments();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final MemorySegment receiveBuffer;
    private final MemorySegment sendBuffer;
    private final MemorySegment priorityOut;
    private final FdHandle.SliceCheck removalCheck = this::failIfRemoved;
    /** Guarded by receiveLock: where a direct receive's slice ends, on the wall clock (see receiveSegment). */
    private final MemorySegment sliceEnd;
    /** A receive that blocks in the kernel until a message comes or {@link #sliceEnd}; made once. */
    private final FdHandle.BlockingCall directReceive;

    private PosixMessageQueue(String name, int mqd) throws IOException {
        this.name = name;
        this.handle = new FdHandle(this, mqd, true);
        Arena arena = Arena.ofAuto();
        MemorySegment attr = arena.allocate(MessageQueueCalls.MQ_ATTR);
        int r = MessageQueueCalls.mqGetattr(mqd, attr);
        if (r < 0) {
            handle.close();
            throw Failures.of("mq_getattr", name, -r);
        }
        this.maxMessages = attr.get(JAVA_LONG, offset("mq_maxmsg"));
        this.messageSize = Math.toIntExact(attr.get(JAVA_LONG, offset("mq_msgsize")));
        this.receiveBuffer = arena.allocate(messageSize);
        this.sendBuffer = arena.allocate(messageSize);
        this.priorityOut = arena.allocate(JAVA_INT);
        this.sliceEnd = arena.allocate(SyncCalls.TIMESPEC);
        MemorySegment priority = priorityOut;
        MemorySegment until = sliceEnd;
        this.directReceive = (fd, into, length) -> MessageQueueCalls.mqReceiveOnce(fd, into, length, priority, until);
    }

    private static long offset(String field) {
        return MessageQueueCalls.MQ_ATTR.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * Options for creating (or opening) the queue {@code name}; finish with {@link PosixQueueOptions#open()}.
     *
     * @param name its name
     * @return the options, to finish with {@link PosixQueueOptions#open()}
     */
    public static PosixQueueOptions create(String name) {
        return new PosixQueueOptions(checkName(name));
    }

    /**
     * Opens an existing queue for reading and writing.
     *
     * @param name its name
     * @return the {@code PosixMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixMessageQueue open(String name) throws IOException {
        return open(name, Access.READ_WRITE);
    }

    /**
     * Opens an existing queue.
     *
     * @param name its name
     * @param access read-only, write-only or read-write
     * @return the {@code PosixMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixMessageQueue open(String name, Access access) throws IOException {
        return open(checkName(name), access.flags, 0, 0, 0, false);
    }

    static PosixMessageQueue open(String name, int accessFlags, int mode, int maxMessages, int messageSize,
                                  boolean create) throws IOException {
        int flags = accessFlags | FileCalls.O_CLOEXEC; // blocking mode: calls that must not wait say so each time
        int mqd = MessageQueueCalls.mqOpen(name, flags, mode, maxMessages, messageSize);
        if (mqd < 0) {
            throw Failures.of("mq_open", name, -mqd, OpenAdvice.of(-mqd, create, maxMessages, messageSize));
        }
        return new PosixMessageQueue(name, mqd);
    }

    /**
     * Removes the name; the queue itself lives on until every process has closed it. False if absent.
     *
     * @param name its name
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        int r = MessageQueueCalls.mqUnlink(checkName(name));
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw Failures.of("mq_unlink", name, -r);
        }
        return true;
    }

    /**
     * Removes this queue's name (see {@link #unlink(String)}).
     *
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean unlink() throws IOException {
        return unlink(name);
    }

    static String checkName(String name) {
        if (name == null || !name.startsWith("/") || name.length() < 2 || name.indexOf('/', 1) >= 0
                || name.length() > 255) {
            throw new IllegalArgumentException("bad POSIX queue name \"" + name + "\": a queue name is one '/' "
                    + "followed by 1 to 254 characters with no other '/', e.g. \"/orders\"");
        }
        return name;
    }

    /**
     * Sends {@code message} (its remaining bytes) with {@code priority}, waiting as long as it takes for room.
     *
     * @param message the message: the buffer's remaining bytes
     * @param priority the message priority: higher ones are received first
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void send(ByteBuffer message, int priority) throws IOException {
        send(message, priority, Deadline.FOREVER);
    }

    /**
     * Sends {@code message} with {@code priority} (0 to {@link #MAX_PRIORITY}, higher first), waiting at most
     * {@code timeout} while the queue is full. On success the buffer's position is at its limit.
     *
     * @param message the message: the buffer's remaining bytes
     * @param priority the message priority: higher ones are received first
     * @param timeout the longest this call waits
     * @throws IpcTimeoutException if the queue stayed full; the buffer is untouched.
     * @throws IllegalArgumentException if the message is larger than the queue's message size.
     */
    public void send(ByteBuffer message, int priority, Duration timeout) throws IOException {
        send(message, priority, Deadline.after(timeout));
    }

    /**
     * Sends if there is room now; false (buffer untouched) if the queue is full. Never waits.
     *
     * @param message the message: the buffer's remaining bytes
     * @param priority the message priority: higher ones are received first
     * @return true if it was sent, false (buffer untouched) if the queue is full
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean trySend(ByteBuffer message, int priority) throws IOException {
        return send(message, priority, Deadline.NOW);
    }

    private boolean send(ByteBuffer message, int priority, Deadline deadline) throws IOException {
        checkPriority(priority);
        int length = message.remaining();
        if (length > messageSize) {
            throw new IllegalArgumentException("mq_send(" + name + "): a message of " + length
                    + " bytes is larger than this queue's message size (mq_msgsize) of " + messageSize
                    + " bytes; create the queue with a larger messageSize (at most fs.mqueue.msgsize_max)");
        }
        sendLock.lock();
        try {
            MemorySegment source;
            if (message.isDirect()) {
                source = sources.remaining(message);
            } else {
                MemorySegment.copy(sources.whole(message), message.position(), sendBuffer, 0, length);
                source = sendBuffer;
            }
            if (!sendSegment(source, length, priority, deadline)) {
                return false;
            }
            message.position(message.limit());
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    private boolean sendSegment(MemorySegment source, int length, int priority, Deadline deadline)
            throws IOException {
        int mqd = handle.begin();
        try {
            boolean direct = false; // a send waits only when the queue is full: try first
            while (true) {
                long r = direct ? handle.callBlocking((fd, message, n) -> MessageQueueCalls.mqSendOnce(fd, message, n,
                        priority), source, length, this) : MessageQueueCalls.mqSendNow(mqd, source, length, priority);
                if (r == 0) {
                    return true;
                }
                if (r != -Errno.EAGAIN) {
                    throw Failures.of("mq_send", name, (int) -r, r == -Errno.EBADF
                            ? "the queue was not opened for writing" : null);
                }
                if (deadline.isNow()) {
                    return false;
                }
                if (!direct && handle.mayBlockDirectly(deadline)) {
                    direct = true;
                    continue;
                }
                direct = false; // EAGAIN from a direct call: made non-blocking by another holder
                if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                    throw new IpcTimeoutException("mq_send(" + name + "): the queue is full (" + maxMessages
                            + " messages)", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
        }
    }

    private static void checkPriority(int priority) {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority " + priority + " is outside 0.." + MAX_PRIORITY);
        }
    }

    /**
     * Receives the oldest message of the highest priority into {@code dst}, waiting as long as it takes.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return the message's priority
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receive(ByteBuffer dst) throws IOException {
        return receive(dst, Deadline.FOREVER);
    }

    /**
     * Receives the oldest message of the highest priority into {@code dst} (its position moves past the
     * message), waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @param dst a buffer with at least {@link #messageSize()} bytes remaining, as mq_receive(3) requires.
     * @return the message's priority.
     * @throws BufferTooSmallException if {@code dst} has less room than {@link #messageSize()}: nothing was
     *                                 taken from the queue.
     * @throws IpcTimeoutException if no message came in time.
     * @throws QueueRemovedException if the queue was unlinked and is empty.
     */
    public int receive(ByteBuffer dst, Duration timeout) throws IOException {
        return receive(dst, Deadline.after(timeout));
    }

    /**
     * Receives a message if one is there now: its priority, or -1 if the queue is empty. Never waits.
     * {@code dst} needs {@link #messageSize()} bytes of room, as for {@link #receive(ByteBuffer, Duration)}.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return its priority, or -1 if the queue is empty
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int tryReceive(ByteBuffer dst) throws IOException {
        return receive(dst, Deadline.NOW);
    }

    /**
     * Receives the oldest message of the highest priority as a new array, whatever its size, waiting at most
     * {@code timeout}: the form that always fits, for callers that do not keep a buffer of
     * {@link #messageSize()}. Allocates the message.
     *
     * @param timeout the longest this call waits
     * @return the form that always fits, for callers that do not keep a buffer of {@link #messageSize()}
     * @throws IpcTimeoutException if no message came in time.
     * @throws QueueRemovedException if the queue was unlinked and is empty.
     */
    public ReceivedMessage receiveMessage(Duration timeout) throws IOException {
        receiveLock.lock();
        try {
            int length = receiveSegment(receiveBuffer, Deadline.after(timeout));
            return new ReceivedMessage(receiveBuffer.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    priorityOut.get(JAVA_INT, 0));
        } finally {
            receiveLock.unlock();
        }
    }

    private int receive(ByteBuffer dst, Deadline deadline) throws IOException {
        if (dst.remaining() < messageSize) {
            throw new BufferTooSmallException(name, messageSize, dst.remaining());
        }
        receiveLock.lock();
        try {
            boolean direct = dst.isDirect();
            MemorySegment into = direct ? targets.remaining(dst) : receiveBuffer;
            int length = receiveSegment(into, deadline);
            if (length < 0) {
                return -1;
            }
            if (!direct) {
                MemorySegment.copy(receiveBuffer, 0, targets.whole(dst), dst.position(), length);
            }
            dst.position(dst.position() + length);
            return priorityOut.get(JAVA_INT, 0);
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Receives into {@code into} (at least messageSize bytes): the length, or -1 if empty and {@code deadline} is
     * {@link Deadline#NOW}. Without a deadline, on a platform thread, one mq_timedreceive(3) that sleeps in the
     * kernel, as C's mq_receive does, instead of an attempt, poll(2) and a second attempt (1.22-1.24x C at p50
     * in the bench); its deadline is on the wall clock, so it is only the end of a {@link #DIRECT_SLICE_NANOS}
     * slice, after which the queue's removal is checked (a wall clock set back lengthens one slice by as much).
     */
    private int receiveSegment(MemorySegment into, Deadline deadline) throws IOException {
        int mqd = handle.begin();
        try {
            boolean direct = handle.mayBlockDirectly(deadline);
            while (true) {
                long n;
                if (direct) {
                    SyncCalls.realtimeDeadline(sliceEnd, DIRECT_SLICE_NANOS);
                    n = handle.callBlocking(directReceive, into, messageSize, this);
                } else {
                    n = MessageQueueCalls.mqReceiveNow(mqd, into, messageSize, priorityOut);
                }
                if (n >= 0) {
                    return (int) n;
                }
                if (direct && n == -Errno.ETIMEDOUT) {
                    failIfRemoved();
                    continue;
                }
                direct = false; // EAGAIN from a direct call: made non-blocking by another holder
                if (n != -Errno.EAGAIN) {
                    throw Failures.of("mq_receive", name, (int) -n,
                            n == -Errno.EBADF ? "the queue was not opened for reading" : null);
                }
                if (deadline.isNow()) {
                    return -1;
                }
                if (handle.awaitReady(FileCalls.POLLIN, deadline, this, removalCheck) == 0) {
                    throw new IpcTimeoutException("mq_receive(" + name + ")", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
        }
    }

    /**
     * Waits at most {@code timeout} until a message is there, without taking it.
     *
     * @param timeout the longest this call waits
     * @return false if none came in time.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean awaitMessage(Duration timeout) throws IOException {
        handle.begin();
        try {
            return handle.awaitReady(FileCalls.POLLIN, Deadline.after(timeout), this, removalCheck) != 0;
        } finally {
            handle.end();
        }
    }

    /** How long a direct receive sleeps in the kernel before it checks whether the queue was removed. */
    private static final long DIRECT_SLICE_NANOS = 200_000_000L;

    private void failIfRemoved() throws IOException {
        Path link = Path.of("/proc/self/fd/" + handle.fd());
        if (Files.readSymbolicLink(link).toString().endsWith(" (deleted)") && attributes().currentMessages() == 0) {
            throw new QueueRemovedException("mq_receive(" + name + "): the queue was unlinked (mq_unlink) and "
                    + "is empty: no new sender can reach it");
        }
    }

    /**
     * The queue's attributes now (mq_getattr).
     *
     * @return the queue's attributes now
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PosixQueueAttributes attributes() throws IOException {
        int mqd = handle.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(MessageQueueCalls.MQ_ATTR);
            int r = MessageQueueCalls.mqGetattr(mqd, attr);
            if (r < 0) {
                throw Failures.of("mq_getattr", name, -r);
            }
            return new PosixQueueAttributes(attr.get(JAVA_LONG, offset("mq_maxmsg")),
                    attr.get(JAVA_LONG, offset("mq_msgsize")), attr.get(JAVA_LONG, offset("mq_curmsgs")));
        } finally {
            handle.end();
        }
    }

    /** {@return the queue's name} */
    public String name() {
        return name;
    }

    /**
     * mq_msgsize: the largest message this queue takes, and the buffer size that always fits one.
     *
     * @return the largest message this queue takes, and the buffer size that always fits one
     */
    public int messageSize() {
        return messageSize;
    }

    /**
     * mq_maxmsg: how many messages the queue holds before senders wait.
     *
     * @return how many messages the queue holds before senders wait
     */
    public long maxMessages() {
        return maxMessages;
    }

    @Override
    public int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /** Closes this process's descriptor; the queue and its messages stay (see {@link #unlink()}). */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "POSIX queue " + name;
    }
}
