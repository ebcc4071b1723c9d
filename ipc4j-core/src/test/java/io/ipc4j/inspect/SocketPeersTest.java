package io.ipc4j.inspect;

import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #22 (part): Unix socket peers from sock_diag. The ends of a socketpair and of an accepted connection name
 * each other; a connection from another process names that process; a listener counts what waits.
 */
class SocketPeersTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void socketpairAndAcceptedConnectionsNameTheirPeers() throws Exception {
        Path path = LEAKS.scratch().resolve("holder.sock");
        try (ChildJvm.Running child = ChildJvm.of(SocketHolder.class, path.toString()).start()) {
            child.awaitLine("listening"::equals, ChildJvm.DEFAULT_TIMEOUT);
            try (StreamSocket mine = StreamSocket.connect(UnixEndpoint.path(path), ChildJvm.DEFAULT_TIMEOUT)) {
                String[] f = child.awaitLine(l -> l.startsWith("fds "), ChildJvm.DEFAULT_TIMEOUT).split(" ");
                ProcessReport report = ProcessInspector.inspect(child.pid());
                Map<Integer, FdInfo> byFd = report.descriptors().stream()
                        .collect(Collectors.toMap(FdInfo::fd, Function.identity()));
                FdInfo first = byFd.get(Integer.parseInt(f[1]));
                FdInfo second = byFd.get(Integer.parseInt(f[2]));
                assertTrue(first.detail().matches("Unix stream socket \\(unnamed\\), connected, peer socket:\\[\\d+] \\(fd "
                        + f[2] + " of this process\\)"), first.detail());
                assertTrue(second.detail().endsWith("(fd " + f[1] + " of this process)"), second.detail());
                assertEquals(List.of(), first.peers(), "its peer is in the same process");
                assertEquals("Unix stream socket " + path + ", LISTEN, 1 waiting to be accepted",
                        byFd.get(Integer.parseInt(f[3])).detail());
                assertTrue(byFd.get(Integer.parseInt(f[4])).detail().endsWith(" (fd " + f[5] + " of this process)"),
                        byFd.get(Integer.parseInt(f[4])).detail());
                assertTrue(byFd.get(Integer.parseInt(f[5])).detail().matches("Unix stream socket " + path
                        + ", connected, peer socket:\\[\\d+] \\(fd " + f[4] + " of this process\\), 5 bytes to read"),
                        byFd.get(Integer.parseInt(f[5])).detail());
                String abstractName = "@ipc4j-holder-" + child.pid();
                assertEquals("Unix stream socket " + abstractName + ", LISTEN, 0 waiting to be accepted",
                        byFd.get(Integer.parseInt(f[8])).detail());
                assertTrue(byFd.get(Integer.parseInt(f[9])).detail().endsWith(" (fd " + f[10] + " of this process)"),
                        byFd.get(Integer.parseInt(f[9])).detail());
                assertTrue(byFd.get(Integer.parseInt(f[10])).detail().startsWith("Unix stream socket " + abstractName
                        + ", connected, peer socket:["), byFd.get(Integer.parseInt(f[10])).detail());
                FdInfo parents = byFd.get(Integer.parseInt(f[6]));
                int self = (int) ProcessHandle.current().pid();
                assertEquals(List.of(self), parents.peers(), parents.toString());
                assertTrue(parents.detail().endsWith(" held by pids [" + self + "]"), parents.detail());
                assertTrue(mine.isOpen());

                // the whole machine's graph joins this process and the child by that connection and by the
                // child's stdout pipe
                IpcGraph.Graph graph = IpcGraph.build();
                int childPid = child.pid();
                List<Integer> both = List.of(Math.min(self, childPid), Math.max(self, childPid));
                assertTrue(graph.objects().stream().anyMatch(o -> o.kind().equals("Unix socket")
                        && o.what().matches("stream socket:\\[\\d+] <-> socket:\\[\\d+]") && o.pids().equals(both)),
                        graph.text());
                assertTrue(graph.objects().stream().anyMatch(o -> o.kind().equals("pipe") && o.pids().equals(both)),
                        graph.text());
                assertTrue(graph.dot().contains("  p" + both.get(0) + " -- p" + both.get(1) + " [label=\"Unix socket"
                        + " stream socket:["), graph.dot());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(path); // the child was killed with its listener open
        }
    }
}
