package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A Unix domain stream socket through ipc4j's own sockets, its socket file in the work directory. */
public final class UnixStreamMechanism implements Mechanism {
    @Override
    public String id() {
        return "unix-stream";
    }

    @Override
    public String title() {
        return "Unix stream socket";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        UnixEndpoint endpoint = UnixEndpoint.path(workDirectory.resolve("bench-stream.sock"));
        SocketServer<StreamSocket> server = SocketServer.stream(endpoint);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(endpoint.toString());
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                return new StreamSocketEndpoint(server.accept(Duration.ofSeconds(60)));
            }

            @Override
            public void close() {
                server.close(); // removes the socket file
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new StreamSocketEndpoint(StreamSocket.connect(UnixEndpoint.path(arguments.get(0)),
                Duration.ofSeconds(60)));
    }
}
