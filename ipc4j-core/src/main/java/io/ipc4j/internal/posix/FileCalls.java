package io.ipc4j.internal.posix;

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
 * Descriptor and file calls: open, close, read, write, pipes, FIFOs, fcntl and poll. Each returns its result or
 * -errno, as every binding in this package does (see the package documentation); the public packages turn a
 * failure into an exception through {@link Failures}. The data calls allocate nothing.
 */
public final class FileCalls {
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
    /** fcntl(2) command reading a memfd's seals. */
    public static final int F_GET_SEALS = 1034;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    /** Linux's PIPE_BUF: writes of at most this many bytes to a pipe or FIFO are atomic. */
    public static final int PIPE_BUF = 4096;

    /** {@code struct pollfd { int fd; short events; short revents; }} */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));
    private static final VarHandle POLLFD_FD = POLLFD.varHandle(groupElement("fd"));
    private static final VarHandle POLLFD_EVENTS = POLLFD.varHandle(groupElement("events"));
    private static final VarHandle POLLFD_REVENTS = POLLFD.varHandle(groupElement("revents"));
    private static final ThreadLocal<MemorySegment> POLL_SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(POLLFD));
    /** preadv2/pwritev2 flag: fail with EAGAIN instead of waiting (pipes since Linux 5.x; not FIFOs). */
    private static final int RWF_NOWAIT = 0x8;
    /** One {@code struct iovec} per thread for the one-buffer preadv2/pwritev2 calls. */
    private static final ThreadLocal<MemorySegment> IOVEC_SLOT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    /** int open(const char *path, int flags, ... mode_t mode); */
    private static final MethodHandle OPEN = Libc.linkErrnoVariadic("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    /** int close(int fd); */
    private static final MethodHandle CLOSE = Libc.linkErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** ssize_t read(int fd, void *buf, size_t count); */
    private static final MethodHandle READ = Libc.linkErrno("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); */
    private static final MethodHandle PREADV2 = Libc.linkErrno("preadv2",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    /** ssize_t pwritev2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); */
    private static final MethodHandle PWRITEV2 = Libc.linkErrno("pwritev2",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
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

    private FileCalls() {
    }

    /** open(2): the descriptor or -errno; EINTR retried. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) Libc.retrying(slot -> (int) OPEN.invokeExact(slot, cPath, flags, mode));
        }
    }

    /**
     * close(2): 0 or -errno. Never retried: on Linux the descriptor is released even when close fails with
     * EINTR, and a retry could close a descriptor another thread has just been given; EINTR counts as done.
     */
    public static int close(int fd) {
        if (fd < 0) {
            return -Errno.EBADF;
        }
        int r = (int) Libc.once(slot -> (int) CLOSE.invokeExact(slot, fd));
        return r == -Errno.EINTR ? 0 : r;
    }

    /** close(2) for clean-up paths, where a failure must not hide the exception being thrown: ignores it. */
    public static void closeQuietly(int fd) {
        int ignored = close(fd);
    }

    /** read(2): bytes read, 0 at end of file, or -errno (-EAGAIN: a non-blocking descriptor has nothing). */
    public static long read(int fd, MemorySegment buffer, long length) {
        return transfer(READ, fd, buffer, length);
    }

    /** write(2): bytes written or -errno (-EAGAIN: no room; -EPIPE: no reader). EINTR retried. */
    public static long write(int fd, MemorySegment buffer, long length) {
        return transfer(WRITE, fd, buffer, length);
    }

    /** read(2) made once: as {@link #read}, but -EINTR is returned (a blocking call a signal may end). */
    public static long readInterruptibly(int fd, MemorySegment buffer, long length) {
        return Libc.transferOnce(READ, fd, buffer, length);
    }

    /** write(2) made once: as {@link #write}, but -EINTR is returned (a blocking call a signal may end). */
    public static long writeInterruptibly(int fd, MemorySegment buffer, long length) {
        return Libc.transferOnce(WRITE, fd, buffer, length);
    }

    /**
     * read(2) that never waits, whatever the descriptor's mode: preadv2(RWF_NOWAIT) at the current position.
     * -EAGAIN if nothing is there now; -EOPNOTSUPP where the kernel does not support it (a FIFO).
     */
    public static long readNoWait(int fd, MemorySegment buffer, long length) {
        return vectorNoWait(PREADV2, fd, buffer, length);
    }

    /**
     * A probe: whether a read of {@code length} bytes with RWF_NOWAIT says EAGAIN on {@code fd}, which has nothing
     * to read (EOPNOTSUPP where the kernel does not take it for that kind of descriptor). Then closes {@code fd}.
     */
    public static boolean emptyReadTakesNoWait(int fd, long length) {
        try (Arena arena = Arena.ofConfined()) {
            return readNoWait(fd, arena.allocate(length, 8), length) == -Errno.EAGAIN;
        } finally {
            closeQuietly(fd);
        }
    }

    /** write(2) that never waits, whatever the descriptor's mode: pwritev2(RWF_NOWAIT); -EAGAIN if no room. */
    public static long writeNoWait(int fd, MemorySegment buffer, long length) {
        return vectorNoWait(PWRITEV2, fd, buffer, length);
    }

    private static long vectorNoWait(MethodHandle call, int fd, MemorySegment buffer, long length) {
        MemorySegment iovec = IOVEC_SLOT.get();
        iovec.set(ADDRESS, 0, buffer);
        iovec.set(JAVA_LONG, 8, length);
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long n = (long) call.invokeExact(slot, fd, iovec, 1, -1L, RWF_NOWAIT);
                if (n >= 0) {
                    return n;
                }
                int errno = Libc.errno(slot);
                if (errno != Errno.EINTR) {
                    return -errno;
                }
            }
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** read or write (one signature): the count or -errno, EINTR retried. Spelled out: a hot path. */
    private static long transfer(MethodHandle call, int fd, MemorySegment buffer, long length) {
        while (true) {
            long n = Libc.transferOnce(call, fd, buffer, length);
            if (n != -Errno.EINTR) {
                return n;
            }
        }
    }

    /** pipe2(2) into {@code fds} (two ints: the read end, then the write end): 0 or -errno. */
    public static int pipe2(int[] fds, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(JAVA_INT, 2);
            int r = (int) Libc.once(slot -> (int) PIPE2.invokeExact(slot, pair, flags));
            if (r == 0) {
                fds[0] = pair.getAtIndex(JAVA_INT, 0);
                fds[1] = pair.getAtIndex(JAVA_INT, 1);
            }
            return r;
        }
    }

    /** mkfifo(3): 0 or -errno. The mode is filtered by the umask, as in C; see {@link #chmod}. */
    public static int mkfifo(String path, int mode) {
        return pathCall(MKFIFO, path, mode);
    }

    /** chmod(2): 0 or -errno. */
    public static int chmod(String path, int mode) {
        return pathCall(CHMOD, path, mode);
    }

    /** unlink(2): 0 or -errno (-ENOENT: nothing was there). */
    public static int unlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) Libc.once(slot -> (int) UNLINK.invokeExact(slot, cPath));
        }
    }

    private static int pathCall(MethodHandle handle, String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            return (int) Libc.once(slot -> (int) handle.invokeExact(slot, cPath, mode));
        }
    }

    /** fcntl(2) with an int argument (or none: pass 0): its result or -errno; EINTR retried. */
    public static int fcntl(int fd, int command, int argument) {
        return (int) Libc.retrying(slot -> (int) FCNTL.invokeExact(slot, fd, command, argument));
    }

    /** Sets or clears O_NONBLOCK on the open file description (shared by every duplicate of it): 0 or -errno. */
    public static int setNonBlocking(int fd, boolean nonBlocking) {
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            return flags;
        }
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        return wanted == flags ? 0 : Math.min(0, fcntl(fd, F_SETFL, wanted));
    }

    /**
     * poll(2) on one descriptor: the returned events (0 when the timeout passed first), or -errno. A wait with a
     * timeout, so EINTR is returned, not retried: the caller recomputes what is left of its deadline.
     * {@code timeoutMillis} &lt; 0 waits forever.
     */
    public static int poll(int fd, short events, int timeoutMillis) {
        try {
            MemorySegment pollfd = POLL_SLOT.get();
            POLLFD_FD.set(pollfd, 0L, fd);
            POLLFD_EVENTS.set(pollfd, 0L, events);
            POLLFD_REVENTS.set(pollfd, 0L, (short) 0);
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) POLL.invokeExact(slot, pollfd, 1L, timeoutMillis);
            if (r > 0) {
                return (short) POLLFD_REVENTS.get(pollfd, 0L) & 0xffff;
            }
            return r == 0 ? 0 : -Libc.errno(slot);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
