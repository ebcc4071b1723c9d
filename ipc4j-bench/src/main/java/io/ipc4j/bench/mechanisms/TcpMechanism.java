package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.socket.InetEndpoint;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** TCP over loopback through ipc4j's own sockets (TCP_NODELAY on, as ipc4j sets it on every TCP socket). */
public final class TcpMechanism implements Mechanism {
    @Override
    public String id() {
        return "tcp";
    }

    @Override
    public String title() {
        return "TCP loopback";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        SocketServer<StreamSocket> server = SocketServer.stream(InetEndpoint.loopback(0));
        int port = ((InetEndpoint) server.endpoint()).port();
        return new LoopbackSession(port, () -> new StreamSocketEndpoint(server.accept(Duration.ofSeconds(60))),
                server::close);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new StreamSocketEndpoint(StreamSocket.connect(InetEndpoint.loopback(Integer.parseInt(arguments.get(0))),
                Duration.ofSeconds(60)));
    }
}
