package io.ipc4j.socket;

import io.ipc4j.internal.posix.SocketCalls;

import static io.ipc4j.internal.posix.SocketCalls.SIN6_ADDR;
import static io.ipc4j.internal.posix.SocketCalls.SIN6_SCOPE_ID;
import static io.ipc4j.internal.posix.SocketCalls.SIN_ADDR;
import static io.ipc4j.internal.posix.SocketCalls.SIN_PORT;
import static io.ipc4j.internal.posix.SocketCalls.SUN_PATH;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Endpoints to and from struct sockaddr_un / sockaddr_in / sockaddr_in6. */
final class Addresses {
    private Addresses() {
    }

    static int family(Endpoint endpoint) {
        return switch (endpoint) {
            case UnixEndpoint u -> SocketCalls.AF_UNIX;
            case InetEndpoint i -> i.address() instanceof Inet6Address ? SocketCalls.AF_INET6 : SocketCalls.AF_INET;
        };
    }

    /** Writes {@code endpoint} into {@code into} (at least SOCKADDR_STORAGE bytes): the address length. */
    static int encode(Endpoint endpoint, MemorySegment into) {
        into.fill((byte) 0);
        return switch (endpoint) {
            case UnixEndpoint u -> encodeUnix(u, into);
            case InetEndpoint i -> encodeInet(i, into);
        };
    }

    private static int encodeUnix(UnixEndpoint u, MemorySegment into) {
        into.set(JAVA_SHORT, 0, (short) SocketCalls.AF_UNIX);
        byte[] bytes = u.bytes();
        long at = u.isAbstract() ? SUN_PATH + 1 : SUN_PATH; // abstract: sun_path[0] is NUL
        MemorySegment.copy(bytes, 0, into, JAVA_BYTE, at, bytes.length);
        // a path's length counts its NUL; an abstract name's length is exact (its bytes may include NULs)
        return (int) (at + bytes.length + (u.isAbstract() ? 0 : 1));
    }

    private static int encodeInet(InetEndpoint i, MemorySegment into) {
        byte[] raw = i.address().getAddress();
        into.set(JAVA_BYTE, SIN_PORT, (byte) (i.port() >>> 8)); // network byte order
        into.set(JAVA_BYTE, SIN_PORT + 1, (byte) i.port());
        if (raw.length == 4) {
            into.set(JAVA_SHORT, 0, (short) SocketCalls.AF_INET);
            MemorySegment.copy(raw, 0, into, JAVA_BYTE, SIN_ADDR, raw.length);
            return (int) SocketCalls.SOCKADDR_IN.byteSize();
        }
        into.set(JAVA_SHORT, 0, (short) SocketCalls.AF_INET6);
        MemorySegment.copy(raw, 0, into, JAVA_BYTE, SIN6_ADDR, raw.length);
        into.set(java.lang.foreign.ValueLayout.JAVA_INT, SIN6_SCOPE_ID, ((Inet6Address) i.address()).getScopeId());
        return (int) SocketCalls.SOCKADDR_IN6.byteSize();
    }

    /** The endpoint in {@code from}, {@code length} bytes long; null for an unnamed (unbound) Unix socket. */
    static Endpoint decode(MemorySegment from, int length) {
        if (length < 2) {
            return null;
        }
        int family = from.get(JAVA_SHORT, 0);
        return switch (family) {
            case SocketCalls.AF_UNIX -> decodeUnix(from, length);
            case SocketCalls.AF_INET, SocketCalls.AF_INET6 -> decodeInet(from, family);
            default -> throw new IllegalStateException("unexpected address family " + family);
        };
    }

    private static UnixEndpoint decodeUnix(MemorySegment from, int length) {
        if (length <= SUN_PATH) {
            return null;
        }
        boolean isAbstract = from.get(JAVA_BYTE, SUN_PATH) == 0;
        long start = isAbstract ? SUN_PATH + 1 : SUN_PATH;
        long end = length;
        if (!isAbstract) {
            end = start;
            while (end < length && from.get(JAVA_BYTE, end) != 0) {
                end++;
            }
        }
        return UnixEndpoint.ofRaw(from.asSlice(start, end - start).toArray(JAVA_BYTE), isAbstract);
    }

    private static InetEndpoint decodeInet(MemorySegment from, int family) {
        int port = ((from.get(JAVA_BYTE, SIN_PORT) & 0xff) << 8) | (from.get(JAVA_BYTE, SIN_PORT + 1) & 0xff);
        byte[] raw = family == SocketCalls.AF_INET
                ? from.asSlice(SIN_ADDR, 4).toArray(JAVA_BYTE) : from.asSlice(SIN6_ADDR, 16).toArray(JAVA_BYTE);
        try {
            InetAddress address = family == SocketCalls.AF_INET ? Inet4Address.getByAddress(raw)
                    : Inet6Address.getByAddress(null, raw, from.get(java.lang.foreign.ValueLayout.JAVA_INT, SIN6_SCOPE_ID));
            return new InetEndpoint(address, port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }
}
