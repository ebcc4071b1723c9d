package io.ipc4j.bench.echo;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one client every server is driven by: {@code connections} connections on one thread (the JDK's Selector,
 * neutral to the three servers), each with one request of {@value #MESSAGE} bytes outstanding, sending the
 * next as soon as the echo of the last is complete (closed loop). Latency is from the write of a request to
 * the read of its last echoed byte.
 */
final class EchoClient implements AutoCloseable {
    static final int MESSAGE = 64;

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long completed;
    private boolean recording;

    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE);
        final ByteBuffer echo = ByteBuffer.allocateDirect(MESSAGE);
        long sentAt;

        Connection(SocketChannel channel) {
            this.channel = channel;
            for (int i = 0; i < MESSAGE; i++) {
                request.put(i, (byte) i);
            }
        }
    }

    EchoClient(Path path, int count) throws IOException {
        selector = Selector.open();
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
                channel.configureBlocking(false);
                Connection c = new Connection(channel);
                channel.register(selector, SelectionKey.OP_READ, c);
                connections.add(c);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Runs for {@code warmupNanos} unrecorded, then {@code measureNanos} recorded (calling {@code recording} as
     * that starts); returns the measured time.
     */
    long run(long warmupNanos, long measureNanos, Runnable onRecording) throws IOException {
        for (Connection c : connections) {
            send(c);
        }
        long start = System.nanoTime();
        long recordFrom = start + warmupNanos;
        long end = recordFrom + measureNanos;
        long now = start;
        while (now - end < 0) {
            if (!recording && now - recordFrom >= 0) {
                recording = true;
                onRecording.run();
                latency.reset();
                completed = 0;
                recordFrom = now;
            }
            selector.select(10);
            now = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                receive((Connection) key.attachment(), now);
            }
            selector.selectedKeys().clear();
        }
        return now - recordFrom;
    }

    private void send(Connection c) throws IOException {
        c.request.clear();
        c.sentAt = System.nanoTime();
        while (c.request.hasRemaining()) {
            c.channel.write(c.request); // 64 bytes into an idle connection: room is always there
        }
    }

    private void receive(Connection c, long now) throws IOException {
        if (c.channel.read(c.echo) < 0) {
            throw new IOException("the server closed a connection");
        }
        if (c.echo.hasRemaining()) {
            return;
        }
        if (c.echo.get(MESSAGE - 1) != (byte) (MESSAGE - 1)) {
            throw new IOException("the echo differs from the request");
        }
        c.echo.clear();
        if (recording) {
            latency.recordValue(now - c.sentAt);
            completed++;
        }
        send(c);
    }

    Histogram latency() {
        return latency;
    }

    long completed() {
        return completed;
    }

    @Override
    public void close() throws IOException {
        for (Connection c : connections) {
            c.channel.close();
        }
        selector.close();
    }
}
