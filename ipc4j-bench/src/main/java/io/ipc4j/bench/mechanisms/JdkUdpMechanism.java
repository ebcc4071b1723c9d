package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The reference for ipc4j's UDP row: UDP datagrams over loopback through the JDK's DatagramChannel; latency only. */
public final class JdkUdpMechanism implements Mechanism {
    @Override
    public String id() {
        return "udp-jdk";
    }

    @Override
    public String title() {
        return "UDP loopback, JDK DatagramChannel";
    }

    @Override
    public Optional<String> cannotCarry(int size) {
        return UdpMechanism.datagramLimit(size); // UDP's limits, whichever API sends
    }

    @Override
    public Optional<String> noThroughputBecause() {
        return UdpMechanism.NO_THROUGHPUT;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        return new LoopbackSession(port, () -> {
            SocketAddress child = channel.receive(ByteBuffer.allocate(16)); // the child's hello
            channel.connect(child);
            return new DatagramEndpoint(channel);
        }, channel);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(arguments.get(0))));
        channel.write(ByteBuffer.wrap(new byte[] {1}));
        return new DatagramEndpoint(channel);
    }

    private record DatagramEndpoint(DatagramChannel channel) implements Endpoint {
        @Override
        public void send(ByteBuffer message) throws IOException {
            channel.write(message);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            channel.read(into);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
