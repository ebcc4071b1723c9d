package io.ipc4j.shm;

import io.ipc4j.sysv.SysVKey;

import java.time.Instant;

/**
 * A System V segment's state (shmctl IPC_STAT, struct shmid_ds).
 *
 * @param key         its key.
 * @param mode        permission bits, plus SHM_DEST (01000) once removed while still attached.
 * @param size        shm_segsz, bytes.
 * @param attachments shm_nattch: how many attachments exist now, in all processes.
 * @param creatorPid  shm_cpid.
 * @param lastPid     shm_lpid: the last process to attach or detach.
 * @param lastAttach  shm_atime (null: never).
 * @param lastDetach  shm_dtime (null: never).
 * @param lastChange  shm_ctime.
 */
public record SysVSegmentStatus(SysVKey key, int mode, long size, long attachments, int creatorPid, int lastPid,
                                Instant lastAttach, Instant lastDetach, Instant lastChange) {
    /**
     * Removed (IPC_RMID) but still attached somewhere: it goes when the last attachment does.
     *
     * @return whether it is removed but still attached somewhere
     */
    public boolean markedForRemoval() {
        return (mode & 01000) != 0;
    }
}
