package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.socket.SeqpacketSocket;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A Unix domain SOCK_SEQPACKET connection through ipc4j's FFM sockets (the JDK has none). */
public final class UnixSeqpacketMechanism implements Mechanism {
    @Override
    public String id() {
        return "unix-seqpacket";
    }

    @Override
    public String title() {
        return "Unix seqpacket socket";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        UnixEndpoint endpoint = UnixEndpoint.path(workDirectory.resolve("bench-seq.sock"));
        SocketServer<SeqpacketSocket> server = SocketServer.seqpacket(endpoint);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(endpoint.toString());
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                SeqpacketSocket s = server.accept(Duration.ofSeconds(60));
                return new UnixDatagramMechanism.MessageEndpoint(s::send, s::receive, s);
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        SeqpacketSocket s = SeqpacketSocket.connect(UnixEndpoint.path(arguments.get(0)), Duration.ofSeconds(60));
        return new UnixDatagramMechanism.MessageEndpoint(s::send, s::receive, s);
    }
}
