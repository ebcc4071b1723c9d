package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** The reference for ipc4j's TCP row: TCP over loopback with TCP_NODELAY through the JDK's SocketChannel. */
public final class JdkTcpMechanism implements Mechanism {
    @Override
    public String id() {
        return "tcp-jdk";
    }

    @Override
    public String title() {
        return "TCP loopback, JDK SocketChannel";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        return new LoopbackSession(port, () -> {
            SocketChannel channel = server.accept();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return new ChannelEndpoint(channel);
        }, server);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(arguments.get(0))));
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new ChannelEndpoint(channel);
    }
}
