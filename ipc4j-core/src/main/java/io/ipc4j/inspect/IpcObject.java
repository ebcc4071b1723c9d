package io.ipc4j.inspect;

import java.time.Instant;
import java.util.List;

/**
 * One IPC object on the machine.
 *
 * @param kind       {@link Kind}.
 * @param id         the System V id, or the POSIX name (e.g. {@code /orders}).
 * @param key        the System V key (hex), or null.
 * @param ownerUid   the owner's uid.
 * @param mode       permission bits.
 * @param bytes      size: segment size, bytes queued, or file size.
 * @param count      messages queued, attachments, or semaphores in the set; -1 where not applicable.
 * @param pids       the pids the kernel recorded for it (creator, last sender/receiver/operator...); may be empty.
 * @param alivePids  those of {@code pids} still alive.
 * @param users      live processes holding it now (open, mapped or attached), as far as /proc tells.
 * @param changed    its last change, or null.
 */
public record IpcObject(Kind kind, String id, String key, int ownerUid, int mode, long bytes, long count,
                        List<Integer> pids, List<Integer> alivePids, List<Integer> users, Instant changed) {

    /** The kinds of object. */
    public enum Kind {
        SYSV_MESSAGE_QUEUE("System V message queue"), SYSV_SHARED_MEMORY("System V shared memory"),
        SYSV_SEMAPHORE_SET("System V semaphore set"), POSIX_MESSAGE_QUEUE("POSIX message queue"),
        POSIX_SHARED_MEMORY("POSIX shared memory"), POSIX_SEMAPHORE("POSIX semaphore");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** Nothing alive uses it and nobody alive is recorded for it. */
    public boolean unused() {
        return users.isEmpty() && alivePids.isEmpty();
    }
}
