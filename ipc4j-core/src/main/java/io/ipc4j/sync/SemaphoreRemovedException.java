package io.ipc4j.sync;

import java.io.IOException;
import java.io.Serial;

/** The System V semaphore set a call used or waited on was removed (EIDRM, EINVAL). */
public final class SemaphoreRemovedException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    SemaphoreRemovedException(String message) {
        super(message);
    }
}
