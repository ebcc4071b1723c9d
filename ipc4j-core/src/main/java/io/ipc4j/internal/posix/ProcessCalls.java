package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Process calls: waitpid, the pidfd calls, CPU affinity, mount and getpid. Each returns its result or -errno,
 * as every binding in this package does (see the package documentation). Signals are sent through
 * {@link SignalCalls}.
 */
public final class ProcessCalls {
    public static final int WNOHANG = 1;

    private static final long SYS_PIDFD_OPEN = Platform.tables().sysPidfdOpen;
    private static final long SYS_PIDFD_GETFD = Platform.tables().sysPidfdGetfd;
    private static final long SYS_PIDFD_SEND_SIGNAL = Platform.tables().sysPidfdSendSignal;

    /** pid_t waitpid(pid_t pid, int *wstatus, int options); */
    private static final MethodHandle WAITPID = Libc.linkErrno("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** long syscall(long number, ...); with two arguments. */
    private static final MethodHandle SYSCALL2 = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    /** long syscall(long number, ...); with four arguments. */
    private static final MethodHandle SYSCALL4 = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    /** int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); */
    private static final MethodHandle SCHED_SETAFFINITY = Libc.linkErrno("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    /** int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data); */
    private static final MethodHandle MOUNT = Libc.linkErrno("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    /** pid_t getpid(void); */
    private static final MethodHandle GETPID = Libc.link("getpid", FunctionDescriptor.of(JAVA_INT));

    private ProcessCalls() {
    }

    /**
     * waitpid(2) with WNOHANG: the raw wait status (reaping the child) when it has ended, {@link Integer#MIN_VALUE}
     * while it runs, or -errno. EINTR retried.
     */
    public static int waitpidNoHang(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            int r = (int) Libc.retrying(slot -> (int) WAITPID.invokeExact(slot, pid, status, WNOHANG));
            if (r < 0) {
                return r;
            }
            return r == pid ? status.get(JAVA_INT, 0) : Integer.MIN_VALUE;
        }
    }

    /**
     * pidfd_open(2) (Linux 5.3+): a close-on-exec descriptor that polls readable when the process ends, or
     * -errno.
     */
    public static int pidfdOpen(int pid) {
        return (int) Libc.once(slot -> (long) SYSCALL2.invokeExact(slot, SYS_PIDFD_OPEN, (long) pid, 0L));
    }

    /**
     * pidfd_getfd(2): a close-on-exec descriptor of this process for the open file that descriptor
     * {@code targetFd} of the process behind {@code pidfd} refers to, or -errno. Needs ptrace access to it.
     */
    public static int pidfdGetfd(int pidfd, int targetFd) {
        return (int) Libc.once(slot -> (long) SYSCALL4.invokeExact(slot, SYS_PIDFD_GETFD, (long) pidfd,
                (long) targetFd, 0L, 0L));
    }

    /** What to tell the user when pidfd_getfd failed with {@code errno}; null if nothing useful. */
    public static String pidfdGetfdAdvice(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "this process may not trace that one (another user, or Yama's ptrace_scope)";
            case Errno.EBADF -> "that process has no such descriptor (any more)";
            case Errno.ESRCH -> "that process has ended";
            default -> null;
        };
    }

    /**
     * pidfd_send_signal(2): signals the process the pidfd refers to, which cannot be a stranger that reused the
     * pid: 0 or -errno (-ESRCH: it has ended).
     */
    public static int pidfdSendSignal(int pidfd, int signal) {
        return (int) Libc.once(slot -> (long) SYSCALL4.invokeExact(slot, SYS_PIDFD_SEND_SIGNAL, (long) pidfd,
                (long) signal, 0L, 0L));
    }

    /** sched_setaffinity(2) of the calling thread to the one {@code cpu}: 0 or -errno. */
    public static int setAffinity(int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128, 8); // cpu_set_t: 1024 bits
            mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            return (int) Libc.once(slot -> (int) SCHED_SETAFFINITY.invokeExact(slot, 0, mask.byteSize(), mask));
        }
    }

    /** mount(2) of a virtual file system with no flags or data: 0 or -errno. */
    public static int mount(String source, String target, String type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cSource = arena.allocateFrom(source);
            MemorySegment cTarget = arena.allocateFrom(target);
            MemorySegment cType = arena.allocateFrom(type);
            return (int) Libc.once(slot -> (int) MOUNT.invokeExact(slot, cSource, cTarget, cType, 0L,
                    MemorySegment.NULL));
        }
    }

    /** getpid(2); cannot fail. */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
