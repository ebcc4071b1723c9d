package io.ipc4j.sync;

import io.ipc4j.internal.posix.SignalCalls;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A mutex between processes, in 16 bytes of shared memory, that survives its owner's death: if the owning
 * process dies holding it, the next locker gets it with {@link LockOutcome#PREVIOUS_OWNER_DIED} instead of
 * waiting forever.
 *
 * <pre>{@code
 * RobustMutex lock = RobustMutex.initialize(shm.segment(), 0);   // once, by the creator
 * RobustMutex lock = RobustMutex.attach(shm.segment(), 0);       // in every other process
 * if (lock.lock(Duration.ofSeconds(5)) == LockOutcome.PREVIOUS_OWNER_DIED) { repair(); }
 * try { ... } finally { lock.unlock(); }
 * }</pre>
 *
 * <h2>Layout (16 bytes, 8-byte aligned)</h2>
 * <pre>
 *  0      4      8                16
 *  +------+------+----------------+
 *  |state |recov.| owner start    |
 *  +------+------+----------------+
 *  state: 0 when free, else the owner's pid, with bit 31 set when a waiter may sleep (futex word)
 *  recov.: how many times a dead owner's hold was taken over
 *  owner start: the owner process's start time (clock ticks since boot), 0 while being set or cleared;
 *               with the pid it identifies the owner even if the pid is reused
 * </pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Mutual exclusion between processes and between threads. Ownership is per process: any thread of the
 * owning process may unlock (so a virtual thread that moved to another carrier can). Not reentrant: a thread
 * locking it twice through the same object gets IllegalStateException.</li>
 * <li>Uncontended lock and unlock are one CAS each, no syscall. Contended waiters spin briefly (when there is
 * more than one CPU), then sleep on a futex; unlock wakes one only if someone may sleep.</li>
 * <li>Waiting sleeps on a futex, a native call: a virtual thread waiting for the lock holds its carrier;
 * {@link #tryLock()} never waits.</li>
 * <li>Dead owner: a waiter checks the owner's liveness (/proc: gone, a zombie, or a reused pid) every 100 ms
 * while it waits, so a takeover happens within about 100 ms of the death.</li>
 * </ul>
 */
public final class RobustMutex {
    /** Bytes the mutex occupies. */
    public static final int SIZE = 16;
    private static final int WAITERS = 0x8000_0000;
    private static final long STATE = 0;
    private static final long RECOVERIES = 4;
    private static final long OWNER_START = 8;
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 200 : 0;
    private static final int SELF = Spawn.currentPid();

    private final MemorySegment segment;
    private final long offset;
    private final SharedBuffer buffer;
    private volatile Thread holder;

    private RobustMutex(MemorySegment segment, long offset) {
        if (offset % 8 != 0 || segment.address() % 8 != 0) {
            throw new IllegalArgumentException("a RobustMutex must be 8-byte aligned: offset " + offset);
        }
        this.segment = segment.asSlice(offset, SIZE);
        this.offset = offset;
        this.buffer = new SharedBuffer(this.segment);
    }

    /**
     * Lays out a free mutex at {@code offset}; call once, before other processes attach.
     *
     * @param segment the memory segment
     * @param offset the byte offset
     * @return the free mutex
     */
    public static RobustMutex initialize(MemorySegment segment, long offset) {
        RobustMutex mutex = new RobustMutex(segment, offset);
        mutex.buffer.putLong(OWNER_START, 0);
        mutex.buffer.putInt(RECOVERIES, 0);
        mutex.buffer.putIntVolatile(STATE, 0);
        return mutex;
    }

    /**
     * The mutex another process initialized at {@code offset}.
     *
     * @param segment the memory segment
     * @param offset the byte offset
     * @return the mutex another process initialized at {@code offset}
     */
    public static RobustMutex attach(MemorySegment segment, long offset) {
        return new RobustMutex(segment, offset);
    }

    /**
     * Locks, waiting as long as it takes.
     *
     * @return ACQUIRED, or PREVIOUS_OWNER_DIED: the state it guards may need repair
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public LockOutcome lock() throws IOException {
        return lock(Long.MAX_VALUE, null);
    }

    /**
     * Locks, waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @return ACQUIRED, or PREVIOUS_OWNER_DIED: the state it guards may need repair
     * @throws IpcTimeoutException if another live owner kept it.
     */
    public LockOutcome lock(Duration timeout) throws IOException {
        return lock(Math.max(0, timeout.toNanos()), timeout);
    }

    /**
     * Locks if it is free or its owner is dead; {@link LockOutcome#NOT_ACQUIRED} otherwise. Never waits.
     *
     * @return ACQUIRED, PREVIOUS_OWNER_DIED (the state it guards may need repair) or NOT_ACQUIRED
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public LockOutcome tryLock() throws IOException {
        checkNotHeldByThisThread();
        int state = buffer.getIntVolatile(STATE);
        LockOutcome outcome = attempt(state, false);
        if (outcome == null && !ownerAlive(state)) {
            outcome = takeOver(state);
        }
        return outcome == null ? LockOutcome.NOT_ACQUIRED : acquired(outcome);
    }

    private LockOutcome lock(long timeoutNanos, Duration timeout) throws IOException {
        checkNotHeldByThisThread();
        long start = System.nanoTime();
        boolean contended = false;
        int spins = 0;
        while (true) {
            int state = buffer.getIntVolatile(STATE);
            LockOutcome outcome = attempt(state, contended);
            if (outcome != null) {
                return acquired(outcome);
            }
            if (state == 0) {
                continue;
            }
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0) {
                throw new IpcTimeoutException("lock(" + this + "): held by pid " + (state & ~WAITERS), timeout, 0);
            }
            if ((state & WAITERS) == 0 && !buffer.compareAndSetInt(STATE, state, state | WAITERS)) {
                continue;
            }
            contended = true;
            if (Futex.await(segment, STATE, state | WAITERS, Duration.ofNanos(Math.min(remaining, SLICE_NANOS)))
                    == Futex.Wake.TIMED_OUT && !ownerAlive(state)) {
                outcome = takeOver(state | WAITERS);
                if (outcome != null) {
                    return acquired(outcome);
                }
            }
        }
    }

    /** One CAS from free to ours; null if it was not free or the CAS lost. */
    private LockOutcome attempt(int state, boolean contended) {
        if (state == 0 && buffer.compareAndSetInt(STATE, 0, contended ? SELF | WAITERS : SELF)) {
            buffer.putLongRelease(OWNER_START, ProcessStart.self());
            return LockOutcome.ACQUIRED;
        }
        return null;
    }

    /** Takes the lock from the dead owner recorded in {@code state}; null if someone else changed it first. */
    private LockOutcome takeOver(int state) {
        if (state == 0 || !buffer.compareAndSetInt(STATE, state, SELF | (state & WAITERS))) {
            return null;
        }
        buffer.putLongRelease(OWNER_START, ProcessStart.self());
        buffer.getAndAddInt(RECOVERIES, 1);
        return LockOutcome.PREVIOUS_OWNER_DIED;
    }

    private LockOutcome acquired(LockOutcome outcome) {
        holder = Thread.currentThread();
        return outcome;
    }

    /**
     * Whether the owner in {@code state} still lives: its /proc entry exists, it is not a zombie (a killed
     * process stays one until its parent reaps it), and its start time is the one it recorded (else the pid
     * was reused). Where /proc cannot tell, kill(pid, 0) does.
     */
    private boolean ownerAlive(int state) throws IOException {
        int pid = state & ~WAITERS;
        if (pid == 0 || pid == SELF) {
            return true;
        }
        long start = ProcessStart.of(pid);
        if (start < 0) {
            return Files.isDirectory(Path.of("/proc/self")) ? false : killFindsProcess(pid);
        }
        long recorded = buffer.getLongAcquire(OWNER_START);
        return recorded == 0 || (buffer.getIntVolatile(STATE) & ~WAITERS) != pid || start == recorded;
    }

    private static boolean killFindsProcess(int pid) throws IOException {
        int r = SignalCalls.kill(pid, 0);
        if (r == -Errno.ESRCH) {
            return false;
        }
        return r == -Errno.EPERM || Failures.check(r, "kill", "pid " + pid + ", signal 0") == 0; // EPERM: another user's
    }

    private void checkNotHeldByThisThread() {
        if (holder == Thread.currentThread()) {
            throw new IllegalStateException(this + " is already held by this thread: it is not reentrant");
        }
    }

    /**
     * Unlocks, waking one waiter if any may sleep.
     *
     * @throws IllegalMonitorStateException if this process does not hold it.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void unlock() throws IOException {
        int state = buffer.getIntVolatile(STATE);
        if ((state & ~WAITERS) != SELF) {
            throw new IllegalMonitorStateException(this + " is " + (state == 0 ? "not locked"
                    : "held by pid " + (state & ~WAITERS) + ", not by this process (" + SELF + ")"));
        }
        holder = null;
        buffer.putLongRelease(OWNER_START, 0);
        int previous = buffer.getAndSetInt(STATE, 0);
        if ((previous & WAITERS) != 0) {
            Futex.wake(segment, STATE, 1);
        }
    }

    /**
     * The owner's pid, or 0 if free.
     *
     * @return the owner's pid, or 0 if free
     */
    public int ownerPid() {
        return buffer.getIntVolatile(STATE) & ~WAITERS;
    }

    /**
     * How many times a dead owner's hold has been taken over.
     *
     * @return how many times a dead owner's hold has been taken over
     */
    public int recoveries() {
        return buffer.getIntVolatile(RECOVERIES);
    }

    @Override
    public String toString() {
        return "robust mutex at offset " + offset;
    }
}
