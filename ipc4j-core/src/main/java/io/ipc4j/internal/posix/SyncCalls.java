package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings for cross-process synchronisation: POSIX named semaphores, System V semaphore sets and
 * futexes. They return the C result or {@code -errno}, EINTR is the caller's to handle (each wait recomputes
 * its remaining time), and the caller in {@code io.ipc4j.sync} turns failures into exceptions.
 */
public final class SyncCalls {
    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_REALTIME = 0;
    public static final int SEM_UNDO = 0x1000;
    public static final int IPC_NOWAIT = 04000;
    public static final int IPC_RMID = 0;
    public static final int IPC_STAT = 2;
    public static final int GETPID = 11;
    public static final int GETVAL = 12;
    public static final int GETALL = 13;
    public static final int GETNCNT = 14;
    public static final int GETZCNT = 15;
    public static final int SETVAL = 16;
    public static final int SETALL = 17;
    public static final int FUTEX_WAIT = 0;
    public static final int FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = Platform.tables().sysFutex;
    private static final long SYS_MEMBARRIER = Platform.tables().sysMembarrier;
    /** membarrier(2) commands. */
    public static final int MEMBARRIER_CMD_QUERY = 0;
    public static final int MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1;
    public static final int MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /** {@code struct timespec { time_t tv_sec; long tv_nsec; }} */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));
    private static final long TV_SEC = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_sec"));
    private static final long TV_NSEC = TIMESPEC.byteOffset(MemoryLayout.PathElement.groupElement("tv_nsec"));
    /** {@code struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }} */
    public static final StructLayout SEMBUF = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sem_num"), JAVA_SHORT.withName("sem_op"), JAVA_SHORT.withName("sem_flg"));
    /** {@code struct semid_ds}: 104 bytes on x86-64, 88 on aarch64. */
    public static final StructLayout SEMID_DS = Platform.tables().semidDs;

    /** sem_t *sem_open(const char *name, int oflag, ... mode_t mode, unsigned int value); */
    private static final MethodHandle SEM_OPEN = Libc.linkErrnoVariadic("sem_open",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle SEM_CLOSE = Libc.linkErrno("sem_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_UNLINK = Libc.linkErrno("sem_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_POST = Libc.linkErrno("sem_post", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_TRYWAIT = Libc.linkErrno("sem_trywait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int sem_clockwait(sem_t *sem, clockid_t clockid, const struct timespec *abstime); glibc 2.30+ */
    private static final MethodHandle SEM_CLOCKWAIT = Libc.linkErrno("sem_clockwait",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle SEM_GETVALUE = Libc.linkErrno("sem_getvalue",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle CLOCK_GETTIME = Libc.link("clock_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** int semget(key_t key, int nsems, int semflg); */
    private static final MethodHandle SEMGET = Libc.linkErrno("semget",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout); */
    private static final MethodHandle SEMTIMEDOP = Libc.linkErrno("semtimedop",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    /** int semctl(int semid, int semnum, int cmd, ... int val); */
    private static final MethodHandle SEMCTL_INT = Libc.linkErrnoVariadic("semctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 3);
    /** int semctl(int semid, int semnum, int cmd, ... void *array_or_buf); */
    private static final MethodHandle SEMCTL_PTR = Libc.linkErrnoVariadic("semctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 3);
    /** long syscall(SYS_futex, int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3); */
    private static final MethodHandle FUTEX = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), 1);

    /** long syscall(SYS_membarrier, int cmd, unsigned int flags, int cpu_id); */
    private static final MethodHandle MEMBARRIER = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);

    private SyncCalls() {
    }

    /** membarrier(2) {@code command} with no flags: its result (a bit mask for QUERY), or -errno. */
    public static long membarrier(int command) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long r = (long) MEMBARRIER.invokeExact(slot, SYS_MEMBARRIER, (long) command, 0L, 0L);
            return r >= 0 ? r : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** sem_open(3): the sem_t pointer, or a segment at -errno (see {@link MemoryCalls#errnoOf}). */
    public static MemorySegment semOpen(String name, int flags, int mode, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = Libc.errnoSlot();
            MemorySegment sem = (MemorySegment) SEM_OPEN.invokeExact(slot, arena.allocateFrom(name), flags, mode, value);
            return sem.address() == 0 ? MemorySegment.ofAddress(Libc.errno(slot)) : sem;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    public static int semClose(MemorySegment sem) {
        return call(SEM_CLOSE, sem);
    }

    public static int semPost(MemorySegment sem) {
        return call(SEM_POST, sem);
    }

    public static int semTrywait(MemorySegment sem) {
        return call(SEM_TRYWAIT, sem);
    }

    public static int semUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return call(SEM_UNLINK, arena.allocateFrom(name));
        }
    }

    private static int call(MethodHandle handle, MemorySegment argument) {
        return (int) Libc.once(slot -> (int) handle.invokeExact(slot, argument));
    }

    /** sem_clockwait(3) on CLOCK_MONOTONIC until the absolute {@code deadline} timespec: 0 or -errno. */
    public static int semClockwait(MemorySegment sem, MemorySegment deadline) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) SEM_CLOCKWAIT.invokeExact(slot, sem, CLOCK_MONOTONIC, deadline);
            return r == 0 ? 0 : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** sem_getvalue(3) into {@code valueOut}: 0 or -errno. */
    public static int semGetvalue(MemorySegment sem, MemorySegment valueOut) {
        return (int) Libc.once(slot -> (int) SEM_GETVALUE.invokeExact(slot, sem, valueOut));
    }

    /** Fills {@code timespec} with CLOCK_MONOTONIC now plus {@code nanos}. */
    public static void monotonicDeadline(MemorySegment timespec, long nanos) {
        deadline(CLOCK_MONOTONIC, timespec, nanos);
    }

    /**
     * Fills {@code timespec} with CLOCK_REALTIME now plus {@code nanos}, for the calls whose deadline is on the
     * wall clock (mq_timedreceive): use only for short slices, since the wall clock can be set back.
     */
    public static void realtimeDeadline(MemorySegment timespec, long nanos) {
        deadline(CLOCK_REALTIME, timespec, nanos);
    }

    private static void deadline(int clock, MemorySegment timespec, long nanos) {
        try {
            int ignored = (int) CLOCK_GETTIME.invokeExact(clock, timespec);
            long sec = timespec.get(JAVA_LONG, TV_SEC) + nanos / 1_000_000_000L;
            long nsec = timespec.get(JAVA_LONG, TV_NSEC) + nanos % 1_000_000_000L;
            if (nsec >= 1_000_000_000L) {
                sec++;
                nsec -= 1_000_000_000L;
            }
            timespec.set(JAVA_LONG, TV_SEC, sec);
            timespec.set(JAVA_LONG, TV_NSEC, nsec);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Fills {@code timespec} with a relative {@code nanos}. */
    public static void relative(MemorySegment timespec, long nanos) {
        timespec.set(JAVA_LONG, TV_SEC, nanos / 1_000_000_000L);
        timespec.set(JAVA_LONG, TV_NSEC, nanos % 1_000_000_000L);
    }

    /** semget(2): the id, or -errno. */
    public static int semget(int key, int count, int flags) {
        return (int) Libc.once(slot -> (int) SEMGET.invokeExact(slot, key, count, flags));
    }

    /** semtimedop(2); {@code timeout} NULL waits forever: 0 or -errno (EAGAIN: timed out or would block). */
    public static int semtimedop(int id, MemorySegment operations, long count, MemorySegment timeout) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) SEMTIMEDOP.invokeExact(slot, id, operations, count, timeout);
            return r == 0 ? 0 : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** semctl(2) with an int argument (or none): the result, or -errno. */
    public static int semctl(int id, int index, int command, int argument) {
        return (int) Libc.once(slot -> (int) SEMCTL_INT.invokeExact(slot, id, index, command, argument));
    }

    /** semctl(2) with a pointer argument (GETALL, SETALL, IPC_STAT): the result, or -errno. */
    public static int semctl(int id, int index, int command, MemorySegment argument) {
        return (int) Libc.once(slot -> (int) SEMCTL_PTR.invokeExact(slot, id, index, command, argument));
    }

    /**
     * FUTEX_WAIT (shared, never FUTEX_PRIVATE: the word is in memory other processes map) on the int at
     * {@code address} while it equals {@code expected}, at most {@code timeout} (a relative timespec, or NULL):
     * 0 when woken, or -errno (EAGAIN: the value differed; ETIMEDOUT; EINTR).
     */
    public static int futexWait(MemorySegment address, int expected, MemorySegment timeout) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long r = (long) FUTEX.invokeExact(slot, SYS_FUTEX, address, (long) FUTEX_WAIT, (long) expected, timeout,
                    MemorySegment.NULL, 0L);
            return r == 0 ? 0 : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** FUTEX_WAKE of up to {@code count} waiters on {@code address}: how many were woken, or -errno. */
    public static int futexWake(MemorySegment address, int count) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long r = (long) FUTEX.invokeExact(slot, SYS_FUTEX, address, (long) FUTEX_WAKE, (long) count,
                    MemorySegment.NULL, MemorySegment.NULL, 0L);
            return r >= 0 ? (int) r : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
