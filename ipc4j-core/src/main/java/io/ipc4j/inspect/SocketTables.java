package io.ipc4j.inspect;

import io.ipc4j.internal.posix.SockDiag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The kernel's socket tables for a process's network namespace (/proc/PID/net/{unix,tcp,tcp6,udp,udp6}). */
final class SocketTables {
    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"};

    /**
     * A socket found by inode.
     *
     * @param kind   UNIX_SOCKET, TCP_SOCKET or UDP_SOCKET.
     * @param local  path (or @abstract), or address:port.
     * @param remote the peer address:port (TCP/UDP), or null.
     * @param state  LISTEN, ESTABLISHED, connected...
     * @param type   stream, dgram, seqpacket (Unix).
     * @param unix   what sock_diag says of a Unix socket (its peer, pending connections, queue), or null.
     * @param unsent TCP/UDP: bytes queued to send (tx_queue), else 0.
     * @param unread TCP/UDP: bytes received and not yet read (rx_queue), else 0.
     */
    record Entry(FdKind kind, String local, String remote, String state, String type, SockDiag.UnixSocket unix,
                 long unsent, long unread) {
    }

    private final Map<Long, Entry> byInode = new HashMap<>();
    private final Map<String, Long> tcpByEndpoints = new HashMap<>();

    private final Map<Long, SockDiag.UnixSocket> unixDiag;

    SocketTables(int pid) {
        Path net = Path.of("/proc/" + pid + "/net");
        unixDiag = sameNetworkNamespace(pid) ? unixDiag() : Map.of();
        for (String row : ProcFs.tableRows(net.resolve("unix"))) {
            readUnix(row);
        }
        for (String table : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
            for (String row : ProcFs.tableRows(net.resolve(table))) {
                readInet(row, table.startsWith("tcp"));
            }
        }
    }

    /** sock_diag answers for this process's network namespace only; another's sockets are not in it. */
    private static boolean sameNetworkNamespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/net"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")));
        } catch (IOException | RuntimeException e) {
            return false; // cannot tell: peers are then not shown, rather than wrong ones
        }
    }

    private static Map<Long, SockDiag.UnixSocket> unixDiag() {
        try {
            return SockDiag.unixSockets();
        } catch (IOException | RuntimeException e) {
            return Map.of(); // no sock_diag (an old or restricted kernel): /proc/net/unix alone, without peers
        }
    }

    Entry find(long inode) {
        return byInode.get(inode);
    }

    /** The inode of the TCP socket whose local and remote ends are the given ones (the other side of a loopback). */
    Long tcpInode(String local, String remote) {
        return tcpByEndpoints.get(local + ">" + remote);
    }

    private void readUnix(String row) {
        String[] f = row.split("\\s+");
        if (f.length < 7) {
            return;
        }
        String type = switch (f[4]) {
            case "0001" -> "stream";
            case "0002" -> "dgram";
            case "0005" -> "seqpacket";
            default -> "type " + f[4];
        };
        boolean listening = (Integer.parseInt(f[3], 16) & 0x10000) != 0;
        String state = listening ? "LISTEN" : f[5].equals("03") ? "connected" : "unconnected";
        String path = f.length > 7 ? f[7] : "(unnamed)";
        long inode = Long.parseLong(f[6]);
        byInode.put(inode, new Entry(FdKind.UNIX_SOCKET, path, null, state, type, unixDiag.get(inode), 0, 0));
    }

    private void readInet(String row, boolean tcp) {
        String[] f = row.split("\\s+");
        if (f.length < 10) {
            return;
        }
        String local = address(f[1]);
        String remote = address(f[2]);
        int st = Integer.parseInt(f[3], 16);
        String state = tcp ? (st < TCP_STATES.length ? TCP_STATES[st] : "state " + st)
                : st == 1 ? "connected" : "unconnected";
        long inode = Long.parseLong(f[9]);
        String[] queues = f[4].split(":"); // tx_queue:rx_queue, hexadecimal
        byInode.put(inode, new Entry(tcp ? FdKind.TCP_SOCKET : FdKind.UDP_SOCKET, local, remote, state,
                tcp ? "stream" : "dgram", null, Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16)));
        if (tcp) {
            tcpByEndpoints.put(local + ">" + remote, inode);
        }
    }

    /** {@code 0100007F:1F90} -> 127.0.0.1:8080; IPv6 as eight groups. */
    static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String ip = parts[0];
        if (ip.length() == 8) {
            long v = Long.parseLong(ip, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff) + ":" + port;
        }
        StringBuilder six = new StringBuilder("[");
        for (int word = 0; word < 4; word++) {
            String w = ip.substring(word * 8, word * 8 + 8);
            // Each 32-bit word is in host (little-endian) order.
            String be = w.substring(6, 8) + w.substring(4, 6) + w.substring(2, 4) + w.substring(0, 2);
            six.append(word == 0 ? "" : ":").append(be, 0, 4).append(':').append(be, 4, 8);
        }
        return six.append("]:").append(port).toString();
    }
}
