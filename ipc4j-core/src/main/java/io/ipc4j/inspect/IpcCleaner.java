package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.shm.SysVSharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Removes IPC objects that dead processes left behind, and never one a live process uses or data someone may
 * still want.
 *
 * <h2>What counts as left behind</h2>
 * An object is in use when a live process has it open, mapped or attached (as /proc shows; for System V
 * segments, also the kernel's attachment count), or when a live process is one the kernel recorded for it
 * (System V creator, last sender, receiver, operator, attacher).
 * <ul>
 * <li>{@code ownerDead}: not in use, and at least one process was recorded for it (System V) - its creator and
 * users are gone. POSIX objects record no process, so for them "not in use" is all that can be known.</li>
 * <li>{@code olderThan}: not in use, and unchanged for at least that long.</li>
 * </ul>
 * With both, both must hold. A System V queue or set that no process ever used (no pid recorded) is only
 * removed by {@code olderThan}: a live service may have created it and not used it yet.
 *
 * <h2>What is kept even so, unless the policy says otherwise</h2>
 * <ul>
 * <li>Objects whose use only /proc can show (POSIX queues, segments and semaphores), while some live process
 * could not be examined (another user's, for a caller who is not root; in some containers, even root cannot
 * read pid 1's descriptors): that process may hold them ({@link Policy#ignoreUnexamined}).</li>
 * <li>Queues that hold messages: undelivered data ({@link Policy#withMessages}).</li>
 * <li>Objects changed within the grace period: their creator may be about to open them
 * ({@link Policy#grace}, 5 minutes by default).</li>
 * <li>Files in /dev/shm that ipc4j cannot prove are IPC objects ({@link Policy#unproven}): proof is an ipc4j
 * channel's header, or a glibc POSIX semaphore (named {@code sem.*}, 32 bytes). Anyone may put a file there.</li>
 * </ul>
 */
public final class IpcCleaner {
    /** Glibc's sem_t on 64-bit Linux: the size of a file that sem_open made. */
    private static final long SEMAPHORE_FILE_SIZE = 32;
    /** "IPC4JCH1" as the first 8 bytes of an ipc4j channel, read little-endian. */
    private static final long CHANNEL_MAGIC = 0x3148434A34435049L;

    /**
     * What to select and what to spare.
     *
     * @param ownerDead    select objects whose recorded processes are all gone (see the class comment).
     * @param olderThan    select objects unchanged for this long, or null.
     * @param grace        spare objects changed more recently than this.
     * @param withMessages remove queues even though they hold messages.
     * @param unproven     remove files in /dev/shm even if nothing shows they are IPC objects.
     * @param ignoreUnexamined remove POSIX objects no examined process holds even though some processes could
     *                     not be examined (they may hold them: the caller takes that risk).
     */
    public record Policy(boolean ownerDead, Duration olderThan, Duration grace, boolean withMessages,
                         boolean unproven, boolean ignoreUnexamined) {
        /** How long after its creation an object is never removed, unless the caller says otherwise. */
        public static final Duration DEFAULT_GRACE = Duration.ofMinutes(5);

        /** Checks that {@code grace} is given and nothing is negative. */
        public Policy {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative() || (olderThan != null && olderThan.isNegative())) {
                throw new IllegalArgumentException("grace and olderThan must not be negative");
            }
        }

        /**
         * The default: objects whose owners are dead, sparing messages, young objects and unproven files.
         *
         * @return the default: objects whose owners are dead, sparing messages, young objects and unproven files
         */
        public static Policy defaults() {
            return new Policy(true, null, DEFAULT_GRACE, false, false, false);
        }

        /**
         * As this, removing objects older than {@code age} too.
         *
         * @param age how old an object must be
         * @param alsoOwnerDead whether objects whose creator died count too
         * @return the new policy
         */
        public Policy withOlderThan(Duration age, boolean alsoOwnerDead) {
            return new Policy(alsoOwnerDead, age, grace, withMessages, unproven, ignoreUnexamined);
        }

        /**
         * As this, with another grace period.
         *
         * @param g how long after its creation an object is never removed
         * @return the new policy
         */
        public Policy withGrace(Duration g) {
            return new Policy(ownerDead, olderThan, g, withMessages, unproven, ignoreUnexamined);
        }

        /**
         * As this, removing queues that hold messages too, or not.
         *
         * @param remove whether to remove them
         * @return the new policy
         */
        public Policy withMessages(boolean remove) {
            return new Policy(ownerDead, olderThan, grace, remove, unproven, ignoreUnexamined);
        }

        /**
         * As this, removing files whose creator is unknown too, or not.
         *
         * @param remove whether to remove them
         * @return the new policy
         */
        public Policy withUnproven(boolean remove) {
            return new Policy(ownerDead, olderThan, grace, withMessages, remove, ignoreUnexamined);
        }

        /**
         * As this, ignoring processes that could not be examined, or not.
         *
         * @param ignore whether to ignore them (they may hold the objects: the caller takes that risk)
         * @return the new policy
         */
        public Policy withIgnoreUnexamined(boolean ignore) {
            return new Policy(ownerDead, olderThan, grace, withMessages, unproven, ignore);
        }
    }

    /**
     * One object to remove, and why.
     *
     * @param object the object.
     * @param reason why it counts as left behind.
     */
    public record Removal(IpcObject object, String reason) {
    }

    /**
     * One object that was selected as left behind but is spared.
     *
     * @param object the object.
     * @param reason why it is spared, and the option that would remove it (if any).
     */
    public record Kept(IpcObject object, String reason) {
    }

    /**
     * One removal that failed (EPERM, EACCES: another user's object; or removed meanwhile).
     *
     * @param object the object.
     * @param error  what the kernel said.
     */
    public record Failure(IpcObject object, IOException error) {
    }

    /**
     * What a clean did or would do.
     *
     * @param removals   removed, or to remove on a dry run.
     * @param kept       selected but spared.
     * @param failures   removals that failed (the others went on).
     * @param unexamined live processes that could not be examined, pid to uid.
     */
    public record Outcome(List<Removal> removals, List<Kept> kept, List<Failure> failures,
                          Map<Integer, Integer> unexamined) {
    }

    private IpcCleaner() {
    }

    /**
     * What {@link #clean} would do now under {@code policy}; removes nothing.
     *
     * @param policy what to remove, and what to keep
     * @return what {@link #clean} would do now under {@code policy}
     */
    public static Outcome plan(Policy policy) {
        IpcObjects.Survey survey = IpcObjects.survey();
        List<Removal> removals = new ArrayList<>();
        List<Kept> kept = new ArrayList<>();
        Instant now = Instant.now();
        for (IpcObject o : survey.objects()) {
            Optional<String> selected = selection(o, policy, now);
            if (selected.isEmpty()) {
                continue;
            }
            Optional<String> spared = spared(o, policy, now, survey.unexamined());
            if (spared.isPresent()) {
                kept.add(new Kept(o, spared.get()));
            } else {
                removals.add(new Removal(o, selected.get()));
            }
        }
        return new Outcome(removals, kept, List.of(), survey.unexamined());
    }

    /**
     * Removes what {@link #plan(Policy)} selects (unless {@code dryRun}). A removal that fails (another user's
     * object) is recorded and the others go on.
     *
     * @param policy what to remove, and what to keep
     * @param dryRun whether to only say what would be removed
     * @return what was removed, and what was kept and why
     */
    public static Outcome clean(Policy policy, boolean dryRun) {
        Outcome plan = plan(policy);
        if (dryRun) {
            return plan;
        }
        List<Removal> removed = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (Removal r : plan.removals()) {
            try {
                remove(r.object());
                removed.add(r);
            } catch (IOException e) {
                failures.add(new Failure(r.object(), e));
            }
        }
        return new Outcome(removed, plan.kept(), failures, plan.unexamined());
    }

    private static Optional<String> selection(IpcObject o, Policy policy, Instant now) {
        if (!o.unused()) {
            return Optional.empty();
        }
        List<String> why = new ArrayList<>();
        if (policy.ownerDead()) {
            boolean posix = o.key() == null;
            if (!posix && o.pids().isEmpty()) {
                return Optional.empty();
            }
            why.add(posix ? "no process has it open or mapped" : "recorded processes " + o.pids()
                    + " are gone and nothing has it attached");
        }
        if (policy.olderThan() != null) {
            if (o.changed() == null || Duration.between(o.changed(), now).compareTo(policy.olderThan()) < 0) {
                return Optional.empty();
            }
            why.add("unchanged since " + o.changed());
        }
        return Optional.of(String.join("; ", why));
    }

    private static Optional<String> spared(IpcObject o, Policy policy, Instant now, Map<Integer, Integer> unexamined) {
        boolean posix = o.key() == null;
        if (posix && !unexamined.isEmpty() && !policy.ignoreUnexamined()) {
            return Optional.of(unexamined.size() + " live processes could not be examined (for example pid "
                    + unexamined.keySet().iterator().next() + " of uid " + unexamined.values().iterator().next()
                    + ") and may hold it; run clean as root to examine them, or --ignore-unexamined");
        }
        if (holdsMessages(o) && !policy.withMessages()) {
            return Optional.of("it holds " + holdings(o) + " (--with-messages removes it)");
        }
        if (o.changed() != null && Duration.between(o.changed(), now).compareTo(policy.grace()) < 0) {
            return Optional.of("changed " + Duration.between(o.changed(), now).toSeconds() + " s ago, within the"
                    + " grace period of " + policy.grace().toSeconds() + " s (--grace shortens it)");
        }
        if (o.kind() != IpcObject.Kind.SYSV_SHARED_MEMORY && o.kind() != IpcObject.Kind.SYSV_MESSAGE_QUEUE
                && o.kind() != IpcObject.Kind.SYSV_SEMAPHORE_SET && o.kind() != IpcObject.Kind.POSIX_MESSAGE_QUEUE
                && !policy.unproven() && !provenIpc(o)) {
            return Optional.of("a file in /dev/shm that ipc4j cannot prove is an IPC object (not an ipc4j"
                    + " channel, not a " + SEMAPHORE_FILE_SIZE + "-byte semaphore): anyone may put files there"
                    + " (--unproven removes it)");
        }
        return Optional.empty();
    }

    private static boolean holdsMessages(IpcObject o) {
        boolean queue = o.kind() == IpcObject.Kind.SYSV_MESSAGE_QUEUE || o.kind() == IpcObject.Kind.POSIX_MESSAGE_QUEUE;
        return queue && (o.count() != 0 || o.bytes() > 0); // -1: a queue we may not open may hold messages
    }

    /**
     * What an object holds, for a person: "3 messages, 120 bytes", "4096 bytes".
     *
     * @param o the other object
     * @return what an object holds, for a person: "3 messages, 120 bytes", "4096 bytes"
     */
    public static String holdings(IpcObject o) {
        return switch (o.kind()) {
            case SYSV_MESSAGE_QUEUE, POSIX_MESSAGE_QUEUE -> (o.count() < 0 ? "an unknown number of messages"
                    : o.count() + (o.count() == 1 ? " message" : " messages")) + ", " + o.bytes() + " bytes";
            case SYSV_SEMAPHORE_SET -> o.count() + " semaphores";
            default -> o.bytes() + " bytes";
        };
    }

    /** A /dev/shm file that is a glibc semaphore or an ipc4j channel; anything else may be anyone's file. */
    private static boolean provenIpc(IpcObject o) {
        if (o.kind() == IpcObject.Kind.POSIX_SEMAPHORE) {
            return o.bytes() == SEMAPHORE_FILE_SIZE;
        }
        Path file = Path.of("/dev/shm", o.id().substring(1));
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8);
            return head.length == 8 && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong() == CHANNEL_MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes one object (as {@link #clean} does), whatever the plan says: the caller decided.
     *
     * @param o the other object
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
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
