package io.ipc4j.sync;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SyncCalls;
import io.ipc4j.sysv.SysVKey;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A System V semaphore set (semget(2)): several counters under one key, changed by {@link #operate} in
 * atomic groups, with SEM_UNDO so that a process that dies holding a unit gives it back.
 *
 * <pre>{@code
 * SysVSemaphoreSet set = SysVSemaphoreSet.create(key, 0600, 1);       // one semaphore, value 1: a lock
 * set.operate(SemOp.acquire(0));                                      // undone by the kernel if we crash
 * try { ... } finally { set.operate(SemOp.release(0)); }
 * set.remove();
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>All the operations of one call happen at once or not at all (semop(2)).</li>
 * <li>Waiting is in the kernel (semtimedop(2), monotonic and relative): untimed calls wait as long as it
 * takes; semop cannot be polled, so a virtual thread waiting holds its carrier. Removal of the set ends every wait with
 * {@link SemaphoreRemovedException}.</li>
 * <li>This object holds no kernel resource of this process; the set exists until {@link #remove()}.
 * Thread-safe.</li>
 * </ul>
 */
public final class SysVSemaphoreSet {
    private static final int IPC_CREAT = 01000;
    private static final int IPC_EXCL = 02000;
    private static final int MAX_OPS = 64;
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(SyncCalls.SEMBUF.byteSize() * MAX_OPS + SyncCalls.TIMESPEC.byteSize(), 8));

    private final int id;
    private final SysVKey key;

    private SysVSemaphoreSet(int id, SysVKey key) {
        this.id = id;
        this.key = key;
    }

    /**
     * Creates a new set with one semaphore per initial value (set right after creation; a process opening
     * the key in between sees zeros, as with every System V set).
     *
     * @param key the System V key
     * @param mode the permission bits, such as {@code 0600}
     * @param initialValues the values they start with, one per semaphore
     * @return the {@code SysVSemaphoreSet}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSemaphoreSet create(SysVKey key, int mode, int... initialValues) throws IOException {
        if (initialValues.length == 0) {
            throw new IllegalArgumentException("give one initial value per semaphore, at least one");
        }
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        SysVSemaphoreSet set = get(key, initialValues.length, mode | IPC_CREAT | IPC_EXCL);
        try {
            set.setValues(initialValues);
        } catch (IOException | RuntimeException e) {
            set.remove();
            throw e;
        }
        return set;
    }

    /**
     * Opens the existing set of {@code key}.
     *
     * @param key the System V key
     * @return the {@code SysVSemaphoreSet}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSemaphoreSet open(SysVKey key) throws IOException {
        return get(key, 0, 0);
    }

    /**
     * The set with this id (as ipcs shows it).
     *
     * @param id the kernel's identifier
     * @return the set with this id
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSemaphoreSet ofId(int id) throws IOException {
        SysVSemaphoreSet set = new SysVSemaphoreSet(id, null);
        set.size();
        return set;
    }

    private static SysVSemaphoreSet get(SysVKey key, int count, int flags) throws IOException {
        int id = SyncCalls.semget(key.value(), count, flags);
        if (id < 0) {
            throw Failures.of("semget", "key " + key + ", " + count + " semaphores", -id, switch (-id) {
                case Errno.ENOENT -> "no semaphore set has this key: create it first";
                case Errno.EINVAL -> "the count is above kernel.sem's SEMMSL, or above the existing set's size";
                case Errno.ENOSPC -> "the machine's limit on semaphore sets or semaphores (kernel.sem) is reached";
                default -> null;
            });
        }
        return new SysVSemaphoreSet(id, key);
    }

    /**
     * Performs {@code operations} atomically, waiting as long as it takes.
     *
     * @param operations the operations, applied atomically: all or none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void operate(SemOp... operations) throws IOException {
        operate(-1, operations);
    }

    /**
     * Performs {@code operations} atomically, waiting at most {@code timeout}; false if they could not be.
     *
     * @param timeout the longest this call waits
     * @param operations the operations, applied atomically: all or none
     * @return true if they were done, false if the timeout passed first
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean operate(Duration timeout, SemOp... operations) throws IOException {
        return operate(Math.max(0, timeout.toNanos()), operations);
    }

    /**
     * Performs {@code operations} atomically if they can be done now (IPC_NOWAIT); never waits.
     *
     * @param operations the operations, applied atomically: all or none
     * @return true if they were done, false if they could not be done now
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean tryOperate(SemOp... operations) throws IOException {
        return operate(0, operations);
    }

    /** {@code timeoutNanos}: -1 waits forever, 0 never waits. */
    private boolean operate(long timeoutNanos, SemOp... operations) throws IOException {
        if (operations.length == 0 || operations.length > MAX_OPS) {
            throw new IllegalArgumentException("give 1 to " + MAX_OPS + " operations, not " + operations.length);
        }
        MemorySegment scratch = SCRATCH.get();
        long sembuf = SyncCalls.SEMBUF.byteSize();
        int nowait = timeoutNanos == 0 ? SyncCalls.IPC_NOWAIT : 0;
        for (int i = 0; i < operations.length; i++) {
            SemOp op = operations[i];
            scratch.set(JAVA_SHORT, i * sembuf, (short) op.index());
            scratch.set(JAVA_SHORT, i * sembuf + 2, (short) op.delta());
            scratch.set(JAVA_SHORT, i * sembuf + 4, (short) ((op.undo() ? SyncCalls.SEM_UNDO : 0) | nowait));
        }
        MemorySegment timespec = scratch.asSlice(sembuf * MAX_OPS, SyncCalls.TIMESPEC.byteSize());
        long start = System.nanoTime();
        while (true) {
            MemorySegment timeout = MemorySegment.NULL;
            if (timeoutNanos > 0) {
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return false;
                }
                SyncCalls.relative(timespec, remaining);
                timeout = timespec;
            }
            int r = SyncCalls.semtimedop(id, scratch, operations.length, timeout);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.EAGAIN) {
                return false;
            }
            if (r != -Errno.EINTR) {
                throw failure("semtimedop", -r);
            }
        }
    }

    private IOException failure(String call, int errno) {
        if (errno == Errno.EIDRM || errno == Errno.EINVAL) {
            return new SemaphoreRemovedException(call + "(" + this + ") failed: " + Errno.name(errno) + " ("
                    + Errno.description(errno) + "): the semaphore set was removed (IPC_RMID)");
        }
        return Failures.of(call, toString(), errno, errno == Errno.ERANGE ? "a value would leave 0..SEMVMX (32767)" : null);
    }

    /**
     * The value of semaphore {@code index} (GETVAL).
     *
     * @param index the index, from 0
     * @return the value of semaphore {@code index}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int value(int index) throws IOException {
        return control(index, SyncCalls.GETVAL, 0, "semctl(GETVAL)");
    }

    /**
     * Sets semaphore {@code index} to {@code value} (SETVAL), clearing every process's undo for it.
     *
     * @param index the index, from 0
     * @param value the value
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void setValue(int index, int value) throws IOException {
        control(index, SyncCalls.SETVAL, value, "semctl(SETVAL)");
    }

    /**
     * The pid of the last process to operate on semaphore {@code index} (GETPID).
     *
     * @param index the index, from 0
     * @return the pid of the last process to operate on semaphore {@code index}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int lastPid(int index) throws IOException {
        return control(index, SyncCalls.GETPID, 0, "semctl(GETPID)");
    }

    /**
     * How many processes wait for semaphore {@code index} to increase (GETNCNT).
     *
     * @param index the index, from 0
     * @return how many processes wait for semaphore {@code index} to increase
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int waitingToTake(int index) throws IOException {
        return control(index, SyncCalls.GETNCNT, 0, "semctl(GETNCNT)");
    }

    /**
     * How many processes wait for semaphore {@code index} to reach zero (GETZCNT).
     *
     * @param index the index, from 0
     * @return how many processes wait for semaphore {@code index} to reach zero
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int waitingForZero(int index) throws IOException {
        return control(index, SyncCalls.GETZCNT, 0, "semctl(GETZCNT)");
    }

    private int control(int index, int command, int argument, String call) throws IOException {
        int r = SyncCalls.semctl(id, index, command, argument);
        if (r < 0) {
            throw failure(call, -r);
        }
        return r;
    }

    /**
     * Every semaphore's value (GETALL).
     *
     * @return every semaphore's value
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int[] values() throws IOException {
        int count = size();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(JAVA_SHORT, count);
            int r = SyncCalls.semctl(id, 0, SyncCalls.GETALL, array);
            if (r < 0) {
                throw failure("semctl(GETALL)", -r);
            }
            int[] values = new int[count];
            for (int i = 0; i < count; i++) {
                values[i] = Short.toUnsignedInt(array.getAtIndex(JAVA_SHORT, i));
            }
            return values;
        }
    }

    /**
     * Sets every semaphore's value at once (SETALL).
     *
     * @param values the values, one per semaphore
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void setValues(int... values) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(JAVA_SHORT, values.length);
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 0 || values[i] > Short.MAX_VALUE) {
                    throw new IllegalArgumentException("semaphore value " + values[i] + " is outside 0..32767");
                }
                array.setAtIndex(JAVA_SHORT, i, (short) values[i]);
            }
            int r = SyncCalls.semctl(id, 0, SyncCalls.SETALL, array);
            if (r < 0) {
                throw failure("semctl(SETALL)", -r);
            }
        }
    }

    /**
     * How many semaphores the set has.
     *
     * @return how many semaphores the set has
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int size() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ds = arena.allocate(SyncCalls.SEMID_DS);
            int r = SyncCalls.semctl(id, 0, SyncCalls.IPC_STAT, ds);
            if (r < 0) {
                throw failure("semctl(IPC_STAT)", -r);
            }
            return (int) ds.get(JAVA_LONG, SyncCalls.SEMID_DS.byteOffset(
                    java.lang.foreign.MemoryLayout.PathElement.groupElement("sem_nsems")));
        }
    }

    /**
     * Removes the set (IPC_RMID); every process waiting on it fails at once.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void remove() throws IOException {
        int r = SyncCalls.semctl(id, 0, SyncCalls.IPC_RMID, 0);
        if (r < 0) {
            throw failure("semctl(IPC_RMID)", -r);
        }
    }

    /** {@return the kernel's identifier of the set} */
    public int id() {
        return id;
    }

    /**
     * The key it was opened by; null for {@link #ofId}.
     *
     * @return the key it was opened by
     */
    public SysVKey key() {
        return key;
    }

    @Override
    public String toString() {
        return "System V semaphore set id " + id + (key == null ? "" : " (key " + key + ")");
    }
}
