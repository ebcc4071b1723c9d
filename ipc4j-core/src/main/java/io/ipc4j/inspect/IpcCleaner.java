package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.shm.SysVSharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Removes IPC objects that dead processes left behind, and never one a live process uses.
 *
 * <h2>What counts as left behind</h2>
 * An object is in use when a live process has it open, mapped or attached (as /proc shows), or when a live
 * process is one the kernel recorded for it (System V creator, last sender, receiver, operator, attacher).
 * <ul>
 * <li>{@code ownerDead}: not in use, and at least one process was recorded for it (System V) - its creator and
 * users are gone. POSIX objects record no process, so for them "not in use" is all that can be known.</li>
 * <li>{@code olderThan}: not in use, and unchanged for at least that long.</li>
 * </ul>
 * With both, both must hold. A System V queue or set that no process ever used (no pid recorded) is only
 * removed by {@code olderThan}: a live service may have created it and not used it yet.
 */
public final class IpcCleaner {
    /**
     * One object to remove, and why.
     *
     * @param object the object.
     * @param reason why it counts as left behind.
     */
    public record Removal(IpcObject object, String reason) {
    }

    private IpcCleaner() {
    }

    /** What {@link #clean} would remove now. */
    public static List<Removal> plan(boolean ownerDead, Duration olderThan) {
        List<Removal> removals = new ArrayList<>();
        Instant now = Instant.now();
        for (IpcObject o : IpcObjects.list()) {
            reason(o, ownerDead || olderThan == null, olderThan, now).ifPresent(r -> removals.add(new Removal(o, r)));
        }
        return removals;
    }

    private static Optional<String> reason(IpcObject o, boolean ownerDead, Duration olderThan, Instant now) {
        if (!o.unused()) {
            return Optional.empty();
        }
        List<String> why = new ArrayList<>();
        if (ownerDead) {
            boolean posix = o.key() == null;
            if (!posix && o.pids().isEmpty()) {
                return Optional.empty();
            }
            why.add(posix ? "no process has it open or mapped" : "recorded processes " + o.pids()
                    + " are gone and nothing has it attached");
        }
        if (olderThan != null) {
            if (o.changed() == null || Duration.between(o.changed(), now).compareTo(olderThan) < 0) {
                return Optional.empty();
            }
            why.add("unchanged since " + o.changed());
        }
        return Optional.of(String.join("; ", why));
    }

    /** Removes what {@link #plan} selects (unless {@code dryRun}); returns what it removed or would. */
    public static List<Removal> clean(boolean ownerDead, Duration olderThan, boolean dryRun) throws IOException {
        List<Removal> removals = plan(ownerDead, olderThan);
        if (!dryRun) {
            for (Removal r : removals) {
                remove(r.object());
            }
        }
        return removals;
    }

    /** Removes one object (as {@link #clean} does), whatever the plan says: the caller decided. */
    public static void remove(IpcObject o) throws IOException {
        switch (o.kind()) {
            case SYSV_MESSAGE_QUEUE -> SysVMessageQueue.ofId(Integer.parseInt(o.id())).remove();
            case SYSV_SHARED_MEMORY -> SysVSharedMemory.ofId(Integer.parseInt(o.id())).remove();
            case SYSV_SEMAPHORE_SET -> SysVSemaphoreSet.ofId(Integer.parseInt(o.id())).remove();
            case POSIX_MESSAGE_QUEUE -> PosixMessageQueue.unlink(o.id());
            case POSIX_SHARED_MEMORY -> SharedMemory.unlink(o.id());
            case POSIX_SEMAPHORE -> PosixSemaphore.unlink(o.id());
        }
    }
}
