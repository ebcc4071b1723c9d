package io.ipc4j.socket;

import java.io.IOException;
import java.io.Serial;

/**
 * A datagram or seqpacket message does not fit the caller's buffer. Nothing is lost: the socket keeps the
 * message, and its next receive with a large enough buffer returns it at once. The socket keeps it itself, not
 * in the kernel's queue (it was received whole, in one call, behind the buffer): a readiness wait (poll, an
 * {@code EventLoop}) does not report it, so receive again with a larger buffer before waiting for readiness.
 */
public final class MessageTooLongException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The length of the message that did not fit. */
    private final long messageLength;

    MessageTooLongException(String socket, long messageLength, long room) {
        super("receive(" + socket + "): the message has " + messageLength + " bytes but the buffer has room for "
                + room + "; it is kept: call again with a buffer of at least " + messageLength + " bytes");
        this.messageLength = messageLength;
    }

    /**
     * The length of the message that did not fit.
     *
     * @return the length of the message that did not fit
     */
    public long messageLength() {
        return messageLength;
    }
}
