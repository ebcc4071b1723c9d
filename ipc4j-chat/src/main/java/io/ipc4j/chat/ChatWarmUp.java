package io.ipc4j.chat;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs the server's hot paths before a real server starts, so that its first messages are served by compiled
 * code. A fresh JVM interprets, then compiles: without this, a new server's first hundred thousand deliveries
 * cost about five times the CPU of later ones (measured: 1,600 ns a delivery against 300), which a short
 * benchmark or a burst right after a restart sees as a slow server.
 *
 * <p>How: a private server (its socket and log in a new 0700 temporary directory, removed afterwards) and, in
 * this JVM, {@value #RECEIVERS} members and one sender exchange batches of lines through it: joining, reading,
 * logging, broadcasting, writing. Blocking; call it before {@link ChatServer#start}. It costs about a second
 * of CPU on a small machine. If the JVM is stopped meanwhile (INT, TERM, HUP), a shutdown hook removes the
 * directory.
 */
public final class ChatWarmUp {
    private static final int RECEIVERS = 16;
    private static final int BATCH = 20; // small batches: the per-member path runs once a batch, and must be compiled too
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final String TEXT = "warm-up " + "x".repeat(80);

    private ChatWarmUp() {
    }

    /**
     * Runs about {@code deliveries} deliveries through a private server.
     *
     * @param deliveries about how many deliveries to make
     * @return how long it took.
     * @throws IOException if the private server or its members fail (the real server need not: nothing is
     *                     left behind either way).
     */
    public static Duration run(int deliveries) throws IOException {
        long start = System.nanoTime();
        Path dir = Files.createTempDirectory("ipc4j-chat-warm-up-");
        Thread onSignal = new Thread(() -> removeQuietly(dir), "ipc4j-chat-warm-up-cleanup"); // INT, TERM, HUP
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            ChatConfig config = ChatConfig.defaults(dir.resolve("chat.sock"), dir.resolve("log")).withRate(0, 1);
            try (ChatServer server = ChatServer.start(config)) {
                exchange(server.socket(), deliveries);
            }
        } finally {
            removeTree(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (and finds nothing left)
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void exchange(Path socket, int deliveries) throws IOException {
        List<Client> receivers = new ArrayList<>();
        try (Client sender = Client.join(socket, "warm-up-sender")) {
            for (int i = 0; i < RECEIVERS; i++) {
                receivers.add(Client.join(socket, "warm-up-" + i));
            }
            byte[] batch = (TEXT + "\n").repeat(BATCH).getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; (long) round * RECEIVERS * (BATCH + 1) < deliveries; round++) {
                sender.socket.write(ByteBuffer.wrap(batch), STEP_TIMEOUT);
                sender.say("end " + round);
                for (Client r : receivers) {
                    r.awaitLine("<warm-up-sender> end " + round + "\n");
                }
            }
        } finally {
            for (Client r : receivers) {
                r.close();
            }
        }
    }

    /** One client of the private server, reading until a wanted line arrives. */
    private static final class Client implements AutoCloseable {
        private final StreamSocket socket;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        private final StringBuilder seen = new StringBuilder();

        private Client(StreamSocket socket) {
            this.socket = socket;
        }

        static Client join(Path server, String nick) throws IOException {
            Client m = new Client(StreamSocket.connect(UnixEndpoint.path(server), STEP_TIMEOUT));
            try {
                m.say(nick);
                m.awaitLine("*** you are " + nick + ";");
                return m;
            } catch (IOException | RuntimeException e) {
                m.close();
                throw e;
            }
        }

        void say(String line) throws IOException {
            socket.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)), STEP_TIMEOUT);
        }

        /** Reads until a line starting with {@code wanted} has arrived; drops what came before it. */
        void awaitLine(String wanted) throws IOException {
            String marker = "\n" + wanted;
            seen.insert(0, '\n');
            while (true) {
                int at = seen.indexOf(marker);
                if (at >= 0) {
                    seen.delete(0, at + marker.length());
                    return;
                }
                seen.delete(0, Math.max(0, seen.length() - marker.length()));
                if (socket.read(buffer.clear(), STEP_TIMEOUT) < 0) {
                    throw new IpcTimeoutException("warm-up: the private server closed before \"" + wanted + "\"",
                            STEP_TIMEOUT, 0);
                }
                buffer.flip();
                seen.append(StandardCharsets.US_ASCII.decode(buffer));
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            removeTree(dir);
        } catch (IOException e) {
            System.err.println("[ipc4j-chat] could not remove the warm-up directory " + dir + ": " + e);
        }
    }

    private static void removeTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
