package io.ipc4j.mq;

import java.io.IOException;
import java.io.Serial;

/** The queue a call was waiting on was removed (System V: IPC_RMID; POSIX: unlinked and empty). */
public final class QueueRemovedException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    QueueRemovedException(String message) {
        super(message);
    }
}
