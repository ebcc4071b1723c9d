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
 * @param mode       permission bits as an octal string, e.g. {@code "0600"} (the same in tables and JSON).
 * @param bytes      size: segment size, bytes queued, or file size.
 * @param count      messages queued, attachments, or semaphores in the set; -1 where not applicable or not
 *                   known (a POSIX queue this process may not open).
 * @param pids       the pids the kernel recorded for it (creator, last sender/receiver/operator...); may be empty.
 * @param alivePids  those of {@code pids} still alive.
 * @param users      live processes holding it now (open, mapped or attached), as far as /proc tells.
 * @param changed    its last change, or null.
 */
public record IpcObject(Kind kind, String id, String key, int ownerUid, String mode, long bytes, long count,
                        List<Integer> pids, List<Integer> alivePids, List<Integer> users, Instant changed) {

    /** The kinds of object. */
    public enum Kind {
        /** A System V message queue (msgget). */
        SYSV_MESSAGE_QUEUE("System V message queue"),
        /** A System V shared memory segment (shmget). */
        SYSV_SHARED_MEMORY("System V shared memory"),
        /** A System V semaphore set (semget). */
        SYSV_SEMAPHORE_SET("System V semaphore set"),
        /** A POSIX message queue (mq_open, /dev/mqueue). */
        POSIX_MESSAGE_QUEUE("POSIX message queue"),
        /** A POSIX shared memory object (shm_open, /dev/shm). */
        POSIX_SHARED_MEMORY("POSIX shared memory"),
        /** A POSIX named semaphore (sem_open, /dev/shm/sem.*). */
        POSIX_SEMAPHORE("POSIX semaphore");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        /** {@return the kind as people say it, such as "POSIX message queue"} */
        public String title() {
            return title;
        }
    }

    /**
     * Nothing alive uses it and nobody alive is recorded for it, as far as this process could see: see
     * {@link IpcObjects.Survey#unexamined()} for processes it could not examine. A System V segment the kernel
     * counts attachments for is in use whoever could be seen.
     *
     * @return whether nothing alive uses it, as far as this process could see
     */
    public boolean unused() {
        if (kind == Kind.SYSV_SHARED_MEMORY && count > 0) {
            return false;
        }
        return users.isEmpty() && alivePids.isEmpty();
    }

    /**
     * The permission bits as a number.
     *
     * @return the permission bits as a number
     */
    public int modeBits() {
        return Integer.parseInt(mode, 8);
    }

    /**
     * Permission bits as ipc4j writes them everywhere: four octal digits, e.g. "0600".
     *
     * @param bits the permission bits
     * @return four octal digits, such as "0600"
     */
    public static String octal(int bits) {
        return String.format("%04o", bits);
    }
}
