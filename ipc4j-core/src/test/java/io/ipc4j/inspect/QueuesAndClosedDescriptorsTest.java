package io.ipc4j.inspect;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** #22 (part): TCP queue sizes; a descriptor closed between its link and its fdinfo is shown without them. */
class QueuesAndClosedDescriptorsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void tcpBytesNotYetReadAreShown() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET) // IPv4: /proc/net/tcp
                .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
             SocketChannel accepted = accept(server, client)) {
            client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7}));
            int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
            long deadline = System.nanoTime() + 10_000_000_000L;
            String detail = "";
            while (!detail.endsWith(", 7 bytes to read") && System.nanoTime() < deadline) { // delivery is async
                detail = ProcessInspector.inspect((int) ProcessHandle.current().pid()).descriptors().stream()
                        .filter(d -> d.kind() == FdKind.TCP_SOCKET && d.detail().contains(" -> 127.0.0.1:" + port + ","))
                        .map(FdInfo::detail).findFirst().orElse("");
            }
            assertTrue(detail.matches("TCP 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:" + port
                    + ", ESTABLISHED, 7 bytes to read"), detail);
            assertTrue(accepted.isConnected());
        }
    }

    private static SocketChannel accept(ServerSocketChannel server, SocketChannel client) throws java.io.IOException {
        client.connect(server.getLocalAddress());
        return server.accept();
    }

    @Test
    void aDescriptorClosedBeforeItsFdinfoWasReadHasNoOpenState() {
        assertEquals(new OpenState("", -1), OpenState.parse(""));
        assertEquals(new OpenState("write append cloexec", 42), OpenState.parse("pos:\t42\nflags:\t02102001\n"));
    }
}
