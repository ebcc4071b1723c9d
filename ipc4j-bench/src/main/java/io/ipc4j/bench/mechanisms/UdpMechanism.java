package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.InetEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** UDP datagrams over loopback through ipc4j's own sockets; latency only. */
public final class UdpMechanism implements Mechanism {
    /** 65535 minus the IPv4 and UDP headers. */
    static final int MAX_DATAGRAM = 65_507;
    static final Optional<String> NO_THROUGHPUT =
            Optional.of("UDP has no flow control: a stream measures loss, not throughput");

    @Override
    public String id() {
        return "udp";
    }

    @Override
    public String title() {
        return "UDP loopback";
    }

    @Override
    public Optional<String> cannotCarry(int size) {
        return datagramLimit(size);
    }

    @Override
    public Optional<String> noThroughputBecause() {
        return NO_THROUGHPUT;
    }

    /** Why a UDP datagram of {@code size} bytes cannot be sent, if it cannot. */
    static Optional<String> datagramLimit(int size) {
        return size > MAX_DATAGRAM ? Optional.of("larger than a UDP datagram's " + MAX_DATAGRAM + "-byte maximum")
                : Optional.empty();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        DatagramSocket parent = DatagramSocket.bind(InetEndpoint.loopback(0));
        int port = ((InetEndpoint) parent.localEndpoint().orElseThrow()).port();
        return new LoopbackSession(port, () -> {
            // the child's hello says where it is
            parent.connect(parent.receiveFrom(ByteBuffer.allocate(16), Duration.ofSeconds(60)).orElseThrow());
            return new UnixDatagramMechanism.MessageEndpoint(parent::send, parent::receive, parent);
        }, parent::close);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        DatagramSocket child = DatagramSocket.bind(InetEndpoint.loopback(0));
        child.connect(InetEndpoint.loopback(Integer.parseInt(arguments.get(0))));
        child.send(ByteBuffer.wrap(new byte[] {1}));
        return new UnixDatagramMechanism.MessageEndpoint(child::send, child::receive, child);
    }
}
