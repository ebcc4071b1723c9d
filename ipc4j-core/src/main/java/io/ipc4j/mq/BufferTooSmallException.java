package io.ipc4j.mq;

import java.io.IOException;
import java.io.Serial;

/**
 * A receive buffer is too small. Nothing was taken: for a POSIX queue the buffer was refused before the
 * receive (it must hold the queue's largest message, mq_msgsize); for a System V queue the message stays in
 * the queue.
 */
public final class BufferTooSmallException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The length of the message that did not fit. */
    private final int messageLength;

    BufferTooSmallException(String queue, int messageSize, int room) {
        super("mq_receive(" + queue + "): the buffer has room for " + room + " bytes, but this queue's messages"
                + " may have up to " + messageSize + " bytes (mq_msgsize), and mq_receive needs room for the"
                + " largest: nothing was taken. Pass a buffer with messageSize() = " + messageSize + " bytes"
                + " remaining, or use receiveMessage(timeout), which always fits");
        this.messageLength = -1;
    }

    BufferTooSmallException(String queue, int room) {
        super("msgrcv(" + queue + "): the message is longer than the buffer's " + room + " bytes; it stays in the"
                + " queue: call again with a larger buffer, or with ReceiveOption.TRUNCATE to cut it");
        this.messageLength = -1;
    }

    /**
     * The length of the message that did not fit: always -1, since neither queue takes a message to measure it
     * (kept for compatibility).
     *
     * @return the length of the message that did not fit: always -1, since neither queue takes a message to measure it
     */
    public int messageLength() {
        return messageLength;
    }
}
