package io.ipc4j.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings of the POSIX calls behind pipes, FIFOs and processes: the C names and prototypes, errno
 * turned into exceptions (see {@link Failures}), EINTR retried where a retry is right, and EAGAIN returned as
 * {@link #UNAVAILABLE} where the caller asked not to block.
 *
 * <p>{@code what} arguments describe the object for error messages; they are turned into text only when a
 * call fails, so the hot paths allocate nothing.
 */
public final class Posix {
    /** Returned by non-blocking calls instead of failing with EAGAIN (OpenJDK's IOStatus.UNAVAILABLE). */
    public static final int UNAVAILABLE = -2;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int WNOHANG = 1;
    /** Linux's PIPE_BUF: writes of at most this many bytes to a pipe or FIFO are atomic. */
    public static final int PIPE_BUF = 4096;

    private static final long SYS_PIDFD_OPEN = Platform.tables().sysPidfdOpen;
    private static final long SYS_PIDFD_GETFD = Platform.tables().sysPidfdGetfd;
    private static final long SYS_PIDFD_SEND_SIGNAL = Platform.tables().sysPidfdSendSignal;

    /** {@code struct pollfd { int fd; short events; short revents; }} */
    private static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    private static final VarHandle POLLFD_FD = POLLFD.varHandle(groupElement("fd"));
    private static final VarHandle POLLFD_EVENTS = POLLFD.varHandle(groupElement("events"));
    private static final VarHandle POLLFD_REVENTS = POLLFD.varHandle(groupElement("revents"));
    private static final ThreadLocal<MemorySegment> POLL_SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(POLLFD));

    /** int open(const char *path, int flags, ... mode_t mode); */
    private static final MethodHandle OPEN = Libc.linkErrnoVariadic("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    /** int close(int fd); */
    private static final MethodHandle CLOSE = Libc.linkErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** ssize_t read(int fd, void *buf, size_t count); */
    private static final MethodHandle READ = Libc.linkErrno("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** ssize_t write(int fd, const void *buf, size_t count); */
    private static final MethodHandle WRITE = Libc.linkErrno("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** int pipe2(int pipefd[2], int flags); */
    private static final MethodHandle PIPE2 = Libc.linkErrno("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int mkfifo(const char *path, mode_t mode); */
    private static final MethodHandle MKFIFO = Libc.linkErrno("mkfifo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int chmod(const char *path, mode_t mode); */
    private static final MethodHandle CHMOD = Libc.linkErrno("chmod",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int unlink(const char *path); */
    private static final MethodHandle UNLINK = Libc.linkErrno("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int fcntl(int fd, int cmd, ... int arg); */
    private static final MethodHandle FCNTL = Libc.linkErrnoVariadic("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); */
    private static final MethodHandle POLL = Libc.linkErrno("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** int kill(pid_t pid, int sig); */
    private static final MethodHandle KILL = Libc.linkErrno("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
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

    private Posix() {
    }

    /** open(2), retried on EINTR. */
    public static int open(String path, int flags, int mode) throws IOException {
        return open(path, flags, mode, path);
    }

    /** open(2), retried on EINTR; a failure names {@code what} instead of the path opened. */
    public static int open(String path, int flags, int mode, String what) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int fd = (int) Libc.retrying(slot -> (int) OPEN.invokeExact(slot, cPath, flags, mode));
            if (fd < 0) {
                throw Failures.of("open", what, -fd, openAdvice(-fd, flags));
            }
            return fd;
        }
    }

    /**
     * open(2) returning -errno instead of throwing, for callers that treat some failures as answers
     * (ENXIO: a FIFO has no reader yet).
     */
    public static int openOrErrno(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) Libc.retrying(slot -> (int) OPEN.invokeExact(slot, cPath, flags, 0));
        }
    }

    private static String openAdvice(int errno, int flags) {
        return switch (errno) {
            case Errno.ENXIO -> (flags & O_WRONLY) != 0 ? "no process has the FIFO open for reading" : null;
            case Errno.EMFILE -> "this process has too many open descriptors: close some, or raise ulimit -n";
            default -> null;
        };
    }

    /**
     * close(2). Not retried on EINTR: on Linux the descriptor is released even then, and a retry could close
     * a descriptor another thread has just been given.
     */
    public static void close(int fd, Object what) throws IOException {
        try {
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) CLOSE.invokeExact(slot, fd);
            if (r != 0) {
                int errno = Libc.errno(slot);
                if (errno != Errno.EINTR) {
                    throw Failures.of("close", String.valueOf(what), errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** close(2) for clean-up paths, where a failure must not hide the exception being thrown. */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(Libc.errnoSlot(), fd);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * read(2): bytes read, 0 at end of file, {@link #UNAVAILABLE} when a non-blocking descriptor has nothing.
     * Retried on EINTR.
     */
    public static long read(int fd, MemorySegment buffer, long length, Object what) throws IOException {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long n = (long) READ.invokeExact(slot, fd, buffer, length);
                if (n >= 0) {
                    return n;
                }
                int errno = Libc.errno(slot);
                if (errno == Errno.EAGAIN) {
                    return UNAVAILABLE;
                }
                if (errno != Errno.EINTR) {
                    throw Failures.of("read", String.valueOf(what), errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * write(2): bytes written, {@link #UNAVAILABLE} when a non-blocking descriptor has no room. EPIPE throws
     * {@link io.ipc4j.PeerClosedException}. Retried on EINTR.
     */
    public static long write(int fd, MemorySegment buffer, long length, Object what) throws IOException {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long n = (long) WRITE.invokeExact(slot, fd, buffer, length);
                if (n >= 0) {
                    return n;
                }
                int errno = Libc.errno(slot);
                if (errno == Errno.EAGAIN) {
                    return UNAVAILABLE;
                }
                if (errno != Errno.EINTR) {
                    throw Failures.of("write", String.valueOf(what), errno);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** pipe2(2): {read end, write end}. */
    public static int[] pipe2(int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = (int) Libc.once(slot -> (int) PIPE2.invokeExact(slot, fds, flags));
            if (r < 0) {
                throw Failures.of("pipe2", "flags " + flags, -r, -r == Errno.EMFILE
                        ? "this process has too many open descriptors: close some, or raise ulimit -n" : null);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** mkfifo(3). The mode is filtered by the umask, as in C; see {@link #chmod}. */
    public static void mkfifo(String path, int mode) throws IOException {
        pathCall(MKFIFO, "mkfifo", path, mode);
    }

    /** chmod(2). */
    public static void chmod(String path, int mode) throws IOException {
        pathCall(CHMOD, "chmod", path, mode);
    }

    /** unlink(2); false if there was nothing to unlink. */
    public static boolean unlink(String path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int r = (int) Libc.once(slot -> (int) UNLINK.invokeExact(slot, cPath));
            if (r == -Errno.ENOENT) {
                return false;
            }
            if (r < 0) {
                throw Failures.of("unlink", path, -r);
            }
            return true;
        }
    }

    private static void pathCall(MethodHandle handle, String call, String path, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int r = (int) Libc.once(slot -> (int) handle.invokeExact(slot, cPath, mode));
            if (r < 0) {
                throw Failures.of(call, path, -r);
            }
        }
    }

    /** fcntl(2) with an int argument (or none: pass 0). */
    public static int fcntl(int fd, int command, int argument, Object what) throws IOException {
        int r = (int) Libc.retrying(slot -> (int) FCNTL.invokeExact(slot, fd, command, argument));
        if (r < 0) {
            throw Failures.of("fcntl", String.valueOf(what), -r);
        }
        return r;
    }

    /** fcntl(F_GETPIPE_SZ) or -errno: also the cheapest test of whether a descriptor is a pipe or FIFO. */
    public static int pipeSizeOrErrno(int fd) {
        return (int) Libc.once(slot -> (int) FCNTL.invokeExact(slot, fd, F_GETPIPE_SZ, 0));
    }

    /** Sets or clears O_NONBLOCK on the open file description (shared by every duplicate of it). */
    public static void setNonBlocking(int fd, boolean nonBlocking, Object what) throws IOException {
        int flags = fcntl(fd, F_GETFL, 0, what);
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted != flags) {
            fcntl(fd, F_SETFL, wanted, what);
        }
    }

    /**
     * poll(2) on one descriptor: the returned events, or 0 when the timeout passed first or a signal
     * interrupted the wait (the caller re-checks its deadline). {@code timeoutMillis} &lt; 0 waits forever.
     */
    public static short poll(int fd, short events, int timeoutMillis, Object what) throws IOException {
        try {
            MemorySegment pollfd = POLL_SLOT.get();
            POLLFD_FD.set(pollfd, 0L, fd);
            POLLFD_EVENTS.set(pollfd, 0L, events);
            POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) POLL.invokeExact(slot, pollfd, 1L, timeoutMillis);
            if (r > 0) {
                return (short) POLLFD_REVENTS.get(pollfd, 0L);
            }
            if (r == 0) {
                return 0;
            }
            int errno = Libc.errno(slot);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw Failures.of("poll", String.valueOf(what), errno);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** kill(2); false if the process does not exist (ESRCH). */
    public static boolean kill(int pid, int signal) throws IOException {
        int r = (int) Libc.once(slot -> (int) KILL.invokeExact(slot, pid, signal));
        if (r == -Errno.ESRCH) {
            return false;
        }
        if (r < 0) {
            throw Failures.of("kill", "pid " + pid + ", signal " + signal, -r);
        }
        return true;
    }

    /**
     * waitpid(2) with WNOHANG: the raw wait status, or -1 while the child is still running. Reaps the child
     * when it has ended.
     */
    public static int waitpidNoHang(int pid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            int r = (int) Libc.retrying(slot -> (int) WAITPID.invokeExact(slot, pid, status, WNOHANG));
            if (r < 0) {
                throw Failures.of("waitpid", "pid " + pid, -r);
            }
            return r == pid ? status.get(JAVA_INT, 0) : -1;
        }
    }

    /**
     * pidfd_open(2) (Linux 5.3+): a descriptor that polls readable when the process ends, so a wait can have
     * a timeout without polling the process table.
     */
    public static int pidfdOpen(int pid) throws IOException {
        long r = Libc.once(slot -> (long) SYSCALL2.invokeExact(slot, SYS_PIDFD_OPEN, (long) pid, 0L));
        if (r < 0) {
            throw Failures.of("pidfd_open", "pid " + pid, (int) -r);
        }
        return (int) r; // pidfds are always close-on-exec
    }

    /**
     * pidfd_getfd(2): a descriptor of this process for the open file that descriptor {@code targetFd} of the
     * process behind {@code pidfd} refers to (close-on-exec). Needs ptrace access to that process.
     */
    public static int pidfdGetfd(int pidfd, int targetFd, Object what) throws IOException {
        long r = Libc.once(slot -> (long) SYSCALL4.invokeExact(slot, SYS_PIDFD_GETFD, (long) pidfd,
                (long) targetFd, 0L, 0L));
        if (r < 0) {
            throw Failures.of("pidfd_getfd", String.valueOf(what), (int) -r, switch ((int) -r) {
                case Errno.EPERM -> "this process may not trace that one (another user, or Yama's ptrace_scope)";
                case Errno.EBADF -> "that process has no such descriptor (any more)";
                case Errno.ESRCH -> "that process has ended";
                default -> null;
            });
        }
        return (int) r;
    }

    /**
     * pidfd_send_signal(2): signals the process the pidfd refers to, which cannot be a stranger that reused
     * the pid. False if that process has ended (ESRCH).
     */
    public static boolean pidfdSendSignal(int pidfd, int signal, Object what) throws IOException {
        long r = Libc.once(slot -> (long) SYSCALL4.invokeExact(slot, SYS_PIDFD_SEND_SIGNAL, (long) pidfd,
                (long) signal, 0L, 0L));
        if (r == -Errno.ESRCH) {
            return false;
        }
        if (r < 0) {
            throw Failures.of("pidfd_send_signal", what + ", signal " + signal, (int) -r);
        }
        return true;
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

    /** getpid(2). */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
