package io.ipc4j.channel;

import java.io.IOException;
import java.io.Serial;

/** The process on the other side of a channel died (or its pid now belongs to a stranger). */
public final class PeerDeadException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    PeerDeadException(String message) {
        super(message);
    }
}
