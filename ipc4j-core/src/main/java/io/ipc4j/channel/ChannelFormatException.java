package io.ipc4j.channel;

import java.io.IOException;
import java.io.Serial;

/** A shared memory region that is not a channel this version of ipc4j can use: foreign, corrupt or other version. */
public final class ChannelFormatException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    ChannelFormatException(String message) {
        super(message);
    }
}
