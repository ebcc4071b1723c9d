package io.ipc4j.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
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
    /** {@code struct nlmsghdr}: every netlink message's header. */
    static final StructLayout NLMSGHDR = MemoryLayout.structLayout(JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"), JAVA_SHORT.withName("nlmsg_flags"), JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid"));
    /** {@code struct unix_diag_req}: what the dump asks for. */
    static final StructLayout UNIX_DIAG_REQ = MemoryLayout.structLayout(JAVA_BYTE.withName("sdiag_family"),
            JAVA_BYTE.withName("sdiag_protocol"), JAVA_SHORT.withName("pad"), JAVA_INT.withName("udiag_states"),
            JAVA_INT.withName("udiag_ino"), JAVA_INT.withName("udiag_show"),
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("udiag_cookie"));
    /** {@code struct unix_diag_msg}: one socket in the answer, its attributes after it. */
    static final StructLayout UNIX_DIAG_MSG = MemoryLayout.structLayout(JAVA_BYTE.withName("udiag_family"),
            JAVA_BYTE.withName("udiag_type"), JAVA_BYTE.withName("udiag_state"), JAVA_BYTE.withName("pad"),
            JAVA_INT.withName("udiag_ino"), MemoryLayout.sequenceLayout(2, JAVA_INT).withName("udiag_cookie"));
    /** {@code struct nlattr}: an attribute's length (header included) and type; its value follows, 4-aligned. */
    static final StructLayout NLATTR = MemoryLayout.structLayout(JAVA_SHORT.withName("nla_len"),
            JAVA_SHORT.withName("nla_type"));
    private static final int HEADER = (int) NLMSGHDR.byteSize();
    private static final int REQUEST = HEADER + (int) UNIX_DIAG_REQ.byteSize();
    private static final int MESSAGE = (int) UNIX_DIAG_MSG.byteSize();
    private static final int ATTRIBUTE = (int) NLATTR.byteSize();
    private static final long NLMSG_LEN = NLMSGHDR.byteOffset(groupElement("nlmsg_len"));
    private static final long NLMSG_TYPE = NLMSGHDR.byteOffset(groupElement("nlmsg_type"));
    private static final long NLMSG_FLAGS = NLMSGHDR.byteOffset(groupElement("nlmsg_flags"));
    private static final long NLMSG_SEQ = NLMSGHDR.byteOffset(groupElement("nlmsg_seq"));
    private static final long SDIAG_FAMILY = HEADER + UNIX_DIAG_REQ.byteOffset(groupElement("sdiag_family"));
    private static final long UDIAG_STATES = HEADER + UNIX_DIAG_REQ.byteOffset(groupElement("udiag_states"));
    private static final long UDIAG_SHOW = HEADER + UNIX_DIAG_REQ.byteOffset(groupElement("udiag_show"));
    private static final long UDIAG_TYPE = UNIX_DIAG_MSG.byteOffset(groupElement("udiag_type"));
    private static final long UDIAG_STATE = UNIX_DIAG_MSG.byteOffset(groupElement("udiag_state"));
    private static final long UDIAG_INO = UNIX_DIAG_MSG.byteOffset(groupElement("udiag_ino"));
    private static final long NLA_LEN = NLATTR.byteOffset(groupElement("nla_len"));
    private static final long NLA_TYPE = NLATTR.byteOffset(groupElement("nla_type"));

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
            request.set(JAVA_INT_UNALIGNED, NLMSG_LEN, REQUEST);
            request.set(JAVA_SHORT_UNALIGNED, NLMSG_TYPE, SOCK_DIAG_BY_FAMILY);
            request.set(JAVA_SHORT_UNALIGNED, NLMSG_FLAGS, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            request.set(JAVA_INT_UNALIGNED, NLMSG_SEQ, 1);
            request.set(JAVA_BYTE, SDIAG_FAMILY, (byte) SocketCalls.AF_UNIX);
            request.set(JAVA_INT_UNALIGNED, UDIAG_STATES, -1); // every state
            request.set(JAVA_INT_UNALIGNED, UDIAG_SHOW,
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
            int size = buffer.get(JAVA_INT_UNALIGNED, at + NLMSG_LEN);
            int type = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED, at + NLMSG_TYPE));
            if (size < HEADER || at + size > length) {
                throw new IOException("sock_diag: a malformed answer (message of " + size + " bytes at " + at + ")");
            }
            if (type == NLMSG_DONE) {
                return true;
            }
            if (type == NLMSG_ERROR) {
                int errno = -buffer.get(JAVA_INT_UNALIGNED, at + HEADER); // struct nlmsgerr: the error first
                throw Failures.of("sock_diag", "Unix sockets", errno);
            }
            if (size >= HEADER + MESSAGE) {
                UnixSocket s = socket(buffer.asSlice(at + HEADER, size - HEADER));
                into.put(s.inode(), s);
            }
            at += align4(size);
        }
        return false;
    }

    private static UnixSocket socket(MemorySegment m) {
        int type = Byte.toUnsignedInt(m.get(JAVA_BYTE, UDIAG_TYPE));
        int state = Byte.toUnsignedInt(m.get(JAVA_BYTE, UDIAG_STATE));
        long inode = Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, UDIAG_INO));
        String name = null;
        long peer = 0;
        List<Long> pending = new ArrayList<>();
        long queued = -1;
        int at = MESSAGE;
        while (at + ATTRIBUTE <= m.byteSize()) {
            int length = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, at + NLA_LEN));
            int kind = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, at + NLA_TYPE));
            if (length < ATTRIBUTE || at + length > m.byteSize()) {
                break;
            }
            MemorySegment value = m.asSlice(at + ATTRIBUTE, length - ATTRIBUTE);
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
            at += align4(length);
        }
        return new UnixSocket(inode, type, state, name, peer, List.copyOf(pending), queued);
    }

    /** NLMSG_ALIGN and NLA_ALIGN: netlink messages and attributes are padded to 4 bytes. */
    private static int align4(int length) {
        return (length + 3) & ~3;
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
