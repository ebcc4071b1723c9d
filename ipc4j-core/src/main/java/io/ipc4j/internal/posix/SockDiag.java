package io.ipc4j.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The kernel's table of Unix sockets through NETLINK_SOCK_DIAG (sock_diag(7), unix_diag): for each socket its
 * type, state, name, the inode of its peer, the sockets waiting to be accepted on a listener, and its queue
 * lengths. What /proc/net/unix does not tell: which socket is connected to which. Any user may ask; the
 * answer covers this process's network namespace.
 */
public final class SockDiag {
    private static final int AF_NETLINK = 16;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_DUMP = 0x300;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int UDIAG_SHOW_NAME = 0x1;
    private static final int UDIAG_SHOW_PEER = 0x4;
    private static final int UDIAG_SHOW_ICONS = 0x8;
    private static final int UDIAG_SHOW_RQLEN = 0x10;
    private static final int UNIX_DIAG_NAME = 0;
    private static final int UNIX_DIAG_PEER = 2;
    private static final int UNIX_DIAG_ICONS = 3;
    private static final int UNIX_DIAG_RQLEN = 4;
    private static final int HEADER = 16;           // struct nlmsghdr
    private static final int REQUEST = HEADER + 24;  // + struct unix_diag_req
    private static final int MESSAGE = 16;           // struct unix_diag_msg

    /**
     * One Unix socket.
     *
     * @param inode   its inode (the N of socket:[N]).
     * @param type    SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5.
     * @param state   TCP-style state: 1 established (connected), 7 close (unconnected), 10 listen.
     * @param name    its path, "@name" for an abstract name, or null if unnamed.
     * @param peer    the inode of the socket it is connected to, or 0.
     * @param pending inodes of connections waiting to be accepted (listeners only).
     * @param queued  bytes waiting to be read; for a listener, connections waiting; -1 if unknown.
     */
    public record UnixSocket(long inode, int type, int state, String name, long peer, List<Long> pending,
                             long queued) {
    }

    private SockDiag() {
    }

    /** Every Unix socket in this process's network namespace, by inode. */
    public static Map<Long, UnixSocket> unixSockets() throws IOException {
        int fd = SocketCalls.socket(AF_NETLINK, SocketCalls.SOCK_DGRAM, NETLINK_SOCK_DIAG);
        if (fd < 0) {
            throw Failures.of("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", "sock_diag", -fd);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(REQUEST, 8);
            request.set(JAVA_INT_UNALIGNED, 0, REQUEST);
            request.set(JAVA_SHORT_UNALIGNED, 4, SOCK_DIAG_BY_FAMILY);
            request.set(JAVA_SHORT_UNALIGNED, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            request.set(JAVA_INT_UNALIGNED, 8, 1); // sequence
            request.set(JAVA_BYTE, HEADER, (byte) SocketCalls.AF_UNIX);
            request.set(JAVA_INT_UNALIGNED, HEADER + 4, -1); // every state
            request.set(JAVA_INT_UNALIGNED, HEADER + 12,
                    UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN);
            long sent = SocketCalls.sendto(fd, request, REQUEST, MemorySegment.NULL, 0);
            if (sent < 0) {
                throw Failures.of("sendto", "sock_diag", (int) -sent);
            }
            return receiveAll(fd, arena.allocate(64 * 1024, 8));
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    private static Map<Long, UnixSocket> receiveAll(int fd, MemorySegment buffer) throws IOException {
        Map<Long, UnixSocket> sockets = new HashMap<>();
        while (true) {
            long n = SocketCalls.recvfrom(fd, buffer, buffer.byteSize(), 0, MemorySegment.NULL, MemorySegment.NULL);
            if (n == -Errno.EAGAIN) {
                if (Failures.check(FileCalls.poll(fd, FileCalls.POLLIN, 5_000), "poll", "sock_diag") == 0) {
                    throw new IOException("sock_diag: no answer from the kernel within 5 s");
                }
                continue;
            }
            if (n < 0) {
                throw Failures.of("recvfrom", "sock_diag", (int) -n);
            }
            if (parse(buffer, (int) n, sockets)) {
                return sockets;
            }
        }
    }

    /** Parses one datagram of netlink messages into {@code into}; true at the end of the dump. */
    private static boolean parse(MemorySegment buffer, int length, Map<Long, UnixSocket> into) throws IOException {
        int at = 0;
        while (at + HEADER <= length) {
            int size = buffer.get(JAVA_INT_UNALIGNED, at);
            int type = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, at + 4));
            if (size < HEADER || at + size > length) {
                throw new IOException("sock_diag: a malformed answer (message of " + size + " bytes at " + at + ")");
            }
            if (type == NLMSG_DONE) {
                return true;
            }
            if (type == NLMSG_ERROR) {
                int errno = -buffer.get(JAVA_INT_UNALIGNED, at + HEADER);
                throw Failures.of("sock_diag", "Unix sockets", errno);
            }
            if (size >= HEADER + MESSAGE) {
                UnixSocket s = socket(buffer.asSlice(at + HEADER, size - HEADER));
                into.put(s.inode(), s);
            }
            at += (size + 3) & ~3;
        }
        return false;
    }

    private static UnixSocket socket(MemorySegment m) {
        int type = Byte.toUnsignedInt(m.get(JAVA_BYTE, 1));
        int state = Byte.toUnsignedInt(m.get(JAVA_BYTE, 2));
        long inode = Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, 4));
        String name = null;
        long peer = 0;
        List<Long> pending = new ArrayList<>();
        long queued = -1;
        int at = MESSAGE;
        while (at + 4 <= m.byteSize()) {
            int length = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, at));
            int kind = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, at + 2));
            if (length < 4 || at + length > m.byteSize()) {
                break;
            }
            MemorySegment value = m.asSlice(at + 4, length - 4);
            switch (kind) {
                case UNIX_DIAG_NAME -> name = name(value);
                case UNIX_DIAG_PEER -> peer = Integer.toUnsignedLong(value.get(JAVA_INT_UNALIGNED, 0));
                case UNIX_DIAG_ICONS -> {
                    for (long i = 0; i + 4 <= value.byteSize(); i += 4) {
                        pending.add(Integer.toUnsignedLong(value.get(JAVA_INT_UNALIGNED, i)));
                    }
                }
                case UNIX_DIAG_RQLEN -> queued = Integer.toUnsignedLong(value.get(JAVA_INT_UNALIGNED, 0));
                default -> {
                    // VFS, MEMINFO, SHUTDOWN, UID: not used
                }
            }
            at += (length + 3) & ~3;
        }
        return new UnixSocket(inode, type, state, name, peer, List.copyOf(pending), queued);
    }

    /** A sun_path: "@" and the rest for an abstract name (a leading NUL), else the path up to its NUL. */
    private static String name(MemorySegment value) {
        byte[] bytes = value.toArray(JAVA_BYTE);
        if (bytes.length == 0) {
            return null;
        }
        if (bytes[0] == 0) {
            return "@" + new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
