package io.ipc4j.sync;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.internal.posix.ResourceGuard;
import io.ipc4j.internal.posix.SyncCalls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A POSIX named semaphore (sem_overview(7)): a counter shared by name between processes; {@link #acquire}
 * waits while it is 0 and takes one, {@link #release} adds one.
 *
 * <pre>{@code
 * try (PosixSemaphore slots = PosixSemaphore.create("/slots", 2)) {
 *     if (slots.tryAcquire(Duration.ofSeconds(5))) {
 *         try { ... at most 2 processes here ... } finally { slots.release(); }
 *     }
 * } finally {
 *     PosixSemaphore.unlink("/slots");
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Not robust: if a process dies between acquire and release, its unit is lost (the kernel does not undo
 * it). Where holders may crash, use {@link SysVSemaphoreSet} with SEM_UNDO or {@link RobustMutex}.</li>
 * <li>Waiting is sem_clockwait on CLOCK_MONOTONIC (a native futex wait: a virtual thread holds its carrier),
 * in slices of 200 ms, so that {@link #close()} from another thread ends a wait
 * (AsynchronousCloseException) and never unmaps a semaphore a thread is waiting on.</li>
 * <li>Thread-safe.</li>
 * </ul>
 */
public final class PosixSemaphore implements AutoCloseable {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SyncCalls.TIMESPEC));

    private final String name;
    private final MemorySegment sem;
    private final ResourceGuard guard;

    private PosixSemaphore(String name, MemorySegment sem) {
        this.name = name;
        this.sem = sem;
        this.guard = new ResourceGuard(this, () -> SyncCalls.semClose(sem));
    }

    /**
     * Creates a new semaphore with {@code initialValue}, mode 0600; FileAlreadyExistsException if it exists.
     *
     * @param name its name
     * @param initialValue the value it starts with
     * @return the {@code PosixSemaphore}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixSemaphore create(String name, int initialValue) throws IOException {
        return create(name, initialValue, 0600);
    }

    /**
     * Creates a new semaphore with {@code initialValue} and {@code mode} (filtered by the umask).
     *
     * @param name its name
     * @param initialValue the value it starts with
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code PosixSemaphore}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixSemaphore create(String name, int initialValue, int mode) throws IOException {
        if (initialValue < 0) {
            throw new IllegalArgumentException("a semaphore's initial value must be >= 0: " + initialValue);
        }
        return open(name, FileCalls.O_CREAT | FileCalls.O_EXCL, mode, initialValue);
    }

    /**
     * Opens the semaphore {@code name}, creating it with {@code initialValue} if there is none.
     *
     * @param name its name
     * @param initialValue the value it starts with
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code PosixSemaphore}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixSemaphore openOrCreate(String name, int initialValue, int mode) throws IOException {
        return open(name, FileCalls.O_CREAT, mode, initialValue);
    }

    /**
     * Opens an existing semaphore.
     *
     * @param name its name
     * @return the {@code PosixSemaphore}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PosixSemaphore open(String name) throws IOException {
        return open(name, 0, 0, 0);
    }

    private static PosixSemaphore open(String name, int flags, int mode, int value) throws IOException {
        checkName(name);
        MemorySegment sem = SyncCalls.semOpen(name, flags, mode, value);
        int errno = MemoryCalls.errnoOf(sem);
        if (errno != 0) {
            throw Failures.of("sem_open", name, errno, errno == Errno.ENOENT ? "no semaphore has this name" : null);
        }
        return new PosixSemaphore(name, sem);
    }

    private static void checkName(String name) {
        if (name == null || !name.startsWith("/") || name.length() < 2 || name.indexOf('/', 1) >= 0
                || name.length() > 251) {
            throw new IllegalArgumentException("bad POSIX semaphore name \"" + name + "\": a name is one '/' "
                    + "followed by 1 to 250 characters with no other '/', e.g. \"/slots\"");
        }
    }

    /**
     * Removes the name (sem_unlink); false if there was none. Open handles keep working.
     *
     * @param name its name
     * @return true if the name was removed, false if there was none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        checkName(name);
        int r = SyncCalls.semUnlink(name);
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw Failures.of("sem_unlink", name, -r);
        }
        return true;
    }

    /**
     * Removes this semaphore's name.
     *
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean unlink() throws IOException {
        return unlink(name);
    }

    /**
     * Adds one (sem_post), waking a waiter if there is one.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void release() throws IOException {
        guard.begin();
        try {
            int r = SyncCalls.semPost(sem);
            if (r < 0) {
                throw Failures.of("sem_post", name, -r, -r == Errno.EOVERFLOW ? "the value would exceed SEM_VALUE_MAX" : null);
            }
        } finally {
            guard.end();
        }
    }

    /**
     * Takes one if the value is positive now (sem_trywait); never waits.
     *
     * @return true if one was taken, false if the value was 0
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean tryAcquire() throws IOException {
        guard.begin();
        try {
            int r = SyncCalls.semTrywait(sem);
            if (r == 0) {
                return true;
            }
            if (r == -Errno.EAGAIN) {
                return false;
            }
            throw Failures.of("sem_trywait", name, -r);
        } finally {
            guard.end();
        }
    }

    /**
     * Takes one, waiting as long as it takes.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void acquire() throws IOException {
        if (!acquire(Long.MAX_VALUE)) {
            throw new AssertionError("an untimed wait ended");
        }
    }

    /**
     * Takes one, waiting at most {@code timeout}; false if the value stayed 0.
     *
     * @param timeout the longest this call waits
     * @return true if one was taken, false if the value stayed 0
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean tryAcquire(Duration timeout) throws IOException {
        return acquire(timeout.toNanos());
    }

    /**
     * Takes one, waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @throws IpcTimeoutException if the value stayed 0.
     */
    public void acquire(Duration timeout) throws IOException {
        if (!tryAcquire(timeout)) {
            throw new IpcTimeoutException("sem_clockwait(" + name + ")", timeout, 0);
        }
    }

    private boolean acquire(long timeoutNanos) throws IOException {
        guard.begin();
        try {
            long start = System.nanoTime();
            MemorySegment timespec = TIMESPEC.get();
            while (true) {
                long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                        : timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return tryAcquireInside();
                }
                SyncCalls.monotonicDeadline(timespec, Math.min(remaining, SLICE_NANOS));
                int r = SyncCalls.semClockwait(sem, timespec);
                if (r == 0) {
                    return true;
                }
                if (r != -Errno.ETIMEDOUT && r != -Errno.EINTR) {
                    throw Failures.of("sem_clockwait", name, -r);
                }
                if (!guard.isOpen()) {
                    throw new AsynchronousCloseException();
                }
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("interrupted while waiting on semaphore " + name);
                }
            }
        } finally {
            guard.end();
        }
    }

    private boolean tryAcquireInside() throws IOException {
        int r = SyncCalls.semTrywait(sem);
        if (r == 0) {
            return true;
        }
        if (r == -Errno.EAGAIN) {
            return false;
        }
        throw Failures.of("sem_trywait", name, -r);
    }

    /**
     * The value now (sem_getvalue); 0 while processes wait.
     *
     * @return the value now
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int value() throws IOException {
        guard.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            int r = SyncCalls.semGetvalue(sem, out);
            if (r < 0) {
                throw Failures.of("sem_getvalue", name, -r);
            }
            return out.get(JAVA_INT, 0);
        } finally {
            guard.end();
        }
    }

    /** {@return the semaphore's name} */
    public String name() {
        return name;
    }

    /** {@return whether this handle is open} */
    public boolean isOpen() {
        return guard.isOpen();
    }

    /** Closes this process's handle (sem_close) once no thread is using it; the semaphore stays until unlinked. */
    @Override
    public void close() {
        guard.close();
    }

    @Override
    public String toString() {
        return "POSIX semaphore " + name;
    }
}
