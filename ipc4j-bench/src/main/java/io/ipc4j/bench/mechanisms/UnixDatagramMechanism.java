package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Unix domain datagrams through ipc4j's FFM sockets (the JDK has none): socket files in the work directory. Both
 * sockets ask for a 4 MiB send buffer, as the C reference's do: a 64 KiB datagram's room in flight is the sender's
 * buffer (the default 208 KiB holds three; the receiver's queue holds net.unix.max_dgram_qlen at most).
 */
public final class UnixDatagramMechanism implements Mechanism {
    /** SO_SNDBUF both sides ask for, as bench_ref.c does (the kernel caps it at net.core.wmem_max). */
    static final int SEND_BUFFER = 4 << 20;

    @Override
    public String id() {
        return "unix-dgram";
    }

    @Override
    public String title() {
        return "Unix datagram socket";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        DatagramSocket parent = DatagramSocket.bind(UnixEndpoint.path(workDirectory.resolve("bench-dgram.sock")));
        parent.setSendBufferSize(SEND_BUFFER);
        Path childPath = workDirectory.resolve("bench-dgram-child.sock");
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(workDirectory.resolve("bench-dgram.sock").toString(), childPath.toString());
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                parent.receive(ByteBuffer.allocate(16)); // the child's hello: it is bound
                parent.connect(UnixEndpoint.path(childPath));
                return new MessageEndpoint(parent::send, parent::receive, parent);
            }

            @Override
            public void close() {
                parent.close();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        DatagramSocket child = DatagramSocket.bind(UnixEndpoint.path(arguments.get(1)));
        child.setSendBufferSize(SEND_BUFFER);
        child.connect(UnixEndpoint.path(arguments.get(0)));
        child.send(ByteBuffer.wrap(new byte[] {1}));
        return new MessageEndpoint(child::send, child::receive, child);
    }

    /** An endpoint over one-message-per-call send and receive. */
    record MessageEndpoint(Sender sender, Receiver receiver, AutoCloseable resource) implements Endpoint {
        interface Sender {
            void send(ByteBuffer b) throws IOException;
        }

        interface Receiver {
            int receive(ByteBuffer b) throws IOException;
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            sender.send(message);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            int expected = into.remaining();
            int n = receiver.receive(into);
            if (n != expected) {
                throw new IOException("expected a " + expected + "-byte message, got " + n);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                resource.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }
}
