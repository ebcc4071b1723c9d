package io.ipc4j.chat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test chat client: lines received are queued by a reader thread; waits are bounded. */
final class LineClient implements AutoCloseable {
    static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String CLOSED = "\u0000closed";
    final SocketChannel channel;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    LineClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().start(this::readLoop);
        next(l -> l.startsWith("*** welcome"));
    }

    static LineClient join(Path socket, String nick) throws IOException {
        LineClient c = new LineClient(socket);
        c.send(nick);
        c.next(l -> l.startsWith("*** you are " + nick));
        return c;
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try {
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
        lines.add(CLOSED);
    }

    void send(String line) throws IOException {
        sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** The next line matching {@code wanted}, skipping others; fails after 30 s or at end of stream. */
    String next(Predicate<String> wanted) throws IOException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            String l;
            try {
                l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (l == null) {
                throw new IOException("no matching line within " + LIMIT);
            }
            if (l.equals(CLOSED)) {
                throw new java.io.EOFException("the server closed the connection");
            }
            if (wanted.test(l)) {
                return l;
            }
        }
    }

    /** Every line received until {@code quiet} passes with nothing new. */
    List<String> drain(Duration quiet) throws InterruptedException {
        List<String> out = new ArrayList<>();
        String l;
        while ((l = lines.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            out.add(l);
        }
        return out;
    }

    /** True once the server has closed the connection (within 30 s). */
    boolean closedByServer() throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String l;
        while ((l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
            if (l.equals(CLOSED)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
