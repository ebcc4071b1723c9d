package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw socket calls: every one returns its result or -errno and never throws, so the public socket classes
 * decide what each errno means for them (EAGAIN: wait; ECONNREFUSED: a stale socket file; ...). The data
 * calls allocate nothing.
 */
public final class SocketCalls {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_PEERCRED = 17;
    public static final int SO_REUSEADDR = 2;
    /** Linux 6.5+: a pidfd of the peer process. */
    public static final int SO_PEERPIDFD = 77;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;

    public static final int MSG_PEEK = 0x2;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    public static final int SCM_RIGHTS = 1;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;

    /** {@code struct iovec { void *iov_base; size_t iov_len; }} */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));
    /**
     * {@code struct msghdr}: name, namelen (+4 padding), iov, iovlen, control, controllen, flags (+4).
     */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
    public static final long MSG_NAME = MSGHDR.byteOffset(groupElement("msg_name"));
    public static final long MSG_NAMELEN = MSGHDR.byteOffset(groupElement("msg_namelen"));
    public static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    public static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    public static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    public static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    public static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));
    public static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    public static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));

    /** {@code struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; }}, data 8-aligned after it. */
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"), JAVA_INT.withName("cmsg_type"));
    public static final long CMSG_LENGTH = CMSGHDR.byteOffset(groupElement("cmsg_len"));
    public static final long CMSG_LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
    public static final long CMSG_TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
    /** CMSG_LENGTH(0): where a control message's data starts. */
    public static final long CMSG_HEADER = CMSGHDR.byteSize();

    /** {@code struct sockaddr_un}: family, then a 108-byte path (a NUL first for an abstract name). */
    public static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path"));
    /** {@code struct sockaddr_in}: family, port and address in network byte order, padding. */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(JAVA_SHORT.withName("sin_family"),
            JAVA_SHORT.withName("sin_port"), MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));
    /** {@code struct sockaddr_in6}: family, port, flow label, address, scope id. */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(JAVA_SHORT.withName("sin6_family"),
            JAVA_SHORT.withName("sin6_port"), JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"), JAVA_INT.withName("sin6_scope_id"));
    public static final long SUN_PATH = SOCKADDR_UN.byteOffset(groupElement("sun_path"));
    /** Where a sockaddr_in or sockaddr_in6 keeps its port (the same place in both). */
    public static final long SIN_PORT = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
    public static final long SIN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
    public static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
    public static final long SIN6_SCOPE_ID = SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id"));

    /** Room for any socket address: sizeof(struct sockaddr_storage). */
    public static final long SOCKADDR_STORAGE = 128;

    private static final MethodHandle SOCKET = Libc.linkErrno("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = Libc.linkErrno("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = Libc.linkErrno("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Libc.linkErrno("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Libc.linkErrno("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.linkErrno("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = Libc.linkErrno("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Libc.linkErrno("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    /** sendto(fd, buffer, length, MSG_NOSIGNAL, NULL, 0): blocking send to the connected peer. */
    private static final MethodHandle SENDTO_BLOCKING = MethodHandles.insertArguments(SENDTO, 4, MSG_NOSIGNAL,
            MemorySegment.NULL, 0);
    /** recvfrom(fd, buffer, length, 0, NULL, NULL): blocking receive. */
    private static final MethodHandle RECV_BLOCKING = MethodHandles.insertArguments(RECVFROM, 4, 0,
            MemorySegment.NULL, MemorySegment.NULL);
    private static final MethodHandle SENDMSG = Libc.linkErrno("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = Libc.linkErrno("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Libc.linkErrno("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = Libc.linkErrno("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.linkErrno("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = Libc.linkErrno("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SHUTDOWN = Libc.linkErrno("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMOD = Libc.linkErrno("fchmod",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MEMFD_CREATE = Libc.linkErrno("memfd_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private SocketCalls() {
    }

    /** socket(2), non-blocking and close-on-exec: the descriptor or -errno. */
    public static int socket(int domain, int type) {
        return (int) Libc.once(slot -> (int) SOCKET.invokeExact(slot, domain,
                type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    /** socket(2) with a protocol (netlink's family, for one), non-blocking and close-on-exec. */
    public static int socket(int domain, int type, int protocol) {
        return (int) Libc.once(slot -> (int) SOCKET.invokeExact(slot, domain,
                type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
    }

    /**
     * socketpair(2) of AF_UNIX sockets, close-on-exec and in blocking mode (ipc4j's sockets make their
     * non-blocking calls with MSG_DONTWAIT), into {@code fds}: 0 or -errno.
     */
    public static int socketpair(int type, int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(JAVA_INT, 2);
            int r = (int) Libc.once(slot -> (int) SOCKETPAIR.invokeExact(slot, AF_UNIX, type | SOCK_CLOEXEC, 0,
                    pair));
            fds[0] = pair.getAtIndex(JAVA_INT, 0);
            fds[1] = pair.getAtIndex(JAVA_INT, 1);
            return r;
        }
    }

    public static int bind(int fd, MemorySegment address, int length) {
        return (int) Libc.once(slot -> (int) BIND.invokeExact(slot, fd, address, length));
    }

    public static int listen(int fd, int backlog) {
        return (int) Libc.once(slot -> (int) LISTEN.invokeExact(slot, fd, backlog));
    }

    /**
     * accept4(2) on a non-blocking listener, the new socket close-on-exec and in blocking mode (ipc4j's sockets
     * make their non-blocking calls with MSG_DONTWAIT): the descriptor or -errno (EAGAIN: none yet).
     */
    public static int accept(int fd) {
        return (int) Libc.retrying(slot -> (int) ACCEPT4.invokeExact(slot, fd, MemorySegment.NULL,
                MemorySegment.NULL, SOCK_CLOEXEC));
    }

    /** connect(2): 0 or -errno (EINPROGRESS for TCP, EAGAIN when a Unix listener's backlog is full). */
    public static int connect(int fd, MemorySegment address, int length) {
        return (int) Libc.once(slot -> (int) CONNECT.invokeExact(slot, fd, address, length));
    }

    /**
     * sendto(2) with MSG_NOSIGNAL (EPIPE, never SIGPIPE) and MSG_DONTWAIT (-EAGAIN instead of waiting, whatever
     * the socket's mode): bytes sent or -errno. EINTR is retried.
     */
    public static long sendto(int fd, MemorySegment buffer, long length, MemorySegment address, int addressLength) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long n = (long) SENDTO.invokeExact(slot, fd, buffer, length, MSG_NOSIGNAL | MSG_DONTWAIT, address,
                        addressLength);
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

    /**
     * recvfrom(2): bytes received (with MSG_TRUNC: the datagram's whole length) or -errno; EINTR is retried.
     * {@code address} and {@code addressLength} may be NULL.
     */
    public static long recvfrom(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
                                MemorySegment addressLength) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long n = (long) RECVFROM.invokeExact(slot, fd, buffer, length, flags, address, addressLength);
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

    /** sendmsg(2) with MSG_NOSIGNAL and MSG_DONTWAIT: bytes sent or -errno (-EAGAIN: no room); EINTR retried. */
    public static long sendmsg(int fd, MemorySegment message) {
        return Libc.retrying(slot -> (long) SENDMSG.invokeExact(slot, fd, message, MSG_NOSIGNAL | MSG_DONTWAIT));
    }

    /** send(2) to the connected peer that waits for room on a blocking socket: once, -EINTR returned. */
    public static long sendInterruptibly(int fd, MemorySegment buffer, long length) {
        return Libc.transferOnce(SENDTO_BLOCKING, fd, buffer, length);
    }

    /** recv(2) that waits for data on a blocking socket: once, -EINTR returned. */
    public static long receiveInterruptibly(int fd, MemorySegment buffer, long length) {
        return Libc.transferOnce(RECV_BLOCKING, fd, buffer, length);
    }

    /** recvfrom(2) that waits for a message on a blocking socket, telling its source: once, -EINTR returned. */
    public static long receiveFromInterruptibly(int fd, MemorySegment buffer, long length, MemorySegment address,
                                                MemorySegment addressLength) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long n = (long) RECVFROM.invokeExact(slot, fd, buffer, length, 0, address, addressLength);
            return n >= 0 ? n : -Libc.errno(slot);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * recvmsg(2) with MSG_TRUNC that waits for a message on a blocking socket ({@code length} is ignored): the
     * message's whole length, or -errno; once, -EINTR returned.
     */
    public static long receiveMessageInterruptibly(int fd, MemorySegment message, long length) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long n = (long) RECVMSG.invokeExact(slot, fd, message, MSG_TRUNC);
            return n >= 0 ? n : -Libc.errno(slot);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** recvmsg(2): bytes received or -errno; EINTR retried. */
    public static long recvmsg(int fd, MemorySegment message, int flags) {
        return Libc.retrying(slot -> (long) RECVMSG.invokeExact(slot, fd, message, flags));
    }

    /** getsockopt(2) into {@code value}: the length written, or -errno. */
    public static int getsockopt(int fd, int level, int option, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            int r = (int) Libc.once(slot -> (int) GETSOCKOPT.invokeExact(slot, fd, level, option, value, length));
            return r < 0 ? r : length.get(JAVA_INT, 0);
        }
    }

    /** getsockopt(2) of an int option: its value, or -errno. */
    public static int getIntOption(int fd, int level, int option) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            int r = getsockopt(fd, level, option, value);
            return r < 0 ? r : value.get(JAVA_INT, 0);
        }
    }

    /** setsockopt(2) of an int option: 0 or -errno. */
    public static int setIntOption(int fd, int level, int option, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            return (int) Libc.once(slot -> (int) SETSOCKOPT.invokeExact(slot, fd, level, option, v, 4));
        }
    }

    /** getsockname(2) into {@code address}: the address length, or -errno. */
    public static int getsockname(int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            int r = (int) Libc.once(slot -> (int) GETSOCKNAME.invokeExact(slot, fd, address, length));
            return r < 0 ? r : length.get(JAVA_INT, 0);
        }
    }

    /** getpeername(2) into {@code address}: the address length, or -errno. */
    public static int getpeername(int fd, MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
            int r = (int) Libc.once(slot -> (int) GETPEERNAME.invokeExact(slot, fd, address, length));
            return r < 0 ? r : length.get(JAVA_INT, 0);
        }
    }

    public static int shutdown(int fd, int how) {
        return (int) Libc.once(slot -> (int) SHUTDOWN.invokeExact(slot, fd, how));
    }

    /**
     * fchmod(2): 0 or -errno. On an unbound Unix socket it sets the mode bind(2) gives the socket file
     * (less the umask), so the file is never more open than asked, not even for an instant.
     */
    public static int fchmod(int fd, int mode) {
        return (int) Libc.once(slot -> (int) FCHMOD.invokeExact(slot, fd, mode));
    }

    /** memfd_create(2): the descriptor or -errno. */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return (int) Libc.once(slot -> (int) MEMFD_CREATE.invokeExact(slot, cName, flags));
        }
    }

    /** fstat(2)'s st_mode, or -errno. */
    public static int fileMode(int fd) {
        return MemoryCalls.fileMode(fd);
    }
}
