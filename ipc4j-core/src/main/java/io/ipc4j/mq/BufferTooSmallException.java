package io.ipc4j.mq;

import java.io.IOException;
import java.io.Serial;

/**
 * A received message does not fit the caller's buffer. Nothing is lost: the message is kept, and the next
 * receive on the same handle returns it first.
 */
public final class BufferTooSmallException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;
    private final int messageLength;

    BufferTooSmallException(String queue, int messageLength, int room) {
        super("receive(" + queue + "): the message has " + messageLength + " bytes but the buffer has room for "
                + room + "; it is kept for the next receive: call again with a buffer of at least "
                + messageLength + " bytes");
        this.messageLength = messageLength;
    }

    BufferTooSmallException(String queue, int room) {
        super("msgrcv(" + queue + "): the message is longer than the buffer's " + room + " bytes; it stays in the"
                + " queue: call again with a larger buffer, or with ReceiveOption.TRUNCATE to cut it");
        this.messageLength = -1;
    }

    /** The length of the message that did not fit, or -1 where the kernel does not tell (System V). */
    public int messageLength() {
        return messageLength;
    }
}
