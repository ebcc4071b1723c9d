package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The reference for ipc4j's Unix stream row: the same exchange over the JDK's SocketChannel, its socket file in the work directory. */
public final class JdkUnixStreamMechanism implements Mechanism {
    @Override
    public String id() {
        return "unix-stream-jdk";
    }

    @Override
    public String title() {
        return "Unix stream socket, JDK SocketChannel";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        Path path = workDirectory.resolve("bench.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(path.toString());
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                return new ChannelEndpoint(server.accept());
            }

            @Override
            public void close() throws IOException {
                server.close();
                Files.deleteIfExists(path);
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new ChannelEndpoint(SocketChannel.open(UnixDomainSocketAddress.of(Path.of(arguments.get(0)))));
    }
}
