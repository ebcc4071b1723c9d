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
 * logging, broadcasting, writing. Then a crowd joins, takes part in bursts larger than a member's socket holds,
 * and leaves (see {@link #crowd} and {@link #bursts}). Then single lines, each awaited by every member, so that
 * the code run once per turn of the server's loop (select, flush, the batch of sends) runs often enough to be
 * compiled as well; meanwhile a connection that never chooses a nick stays, and members join and leave now and
 * then, as on a real server (without them, the compiled code met its first joins and departures during real
 * traffic and was recompiled then, delaying deliveries by milliseconds). Some members fail as dying clients
 * do: one stops reading (its input shut down, so the server's sends to it fail with EPIPE), one closes with a
 * line unread (the server's read fails with ECONNRESET); without them those failures first came when the
 * warm-up's members closed at its very end, which sent the server's hot path (handling a ready connection, the
 * batch of sends) back to the interpreter just before the real server listened (-Xlog:deoptimization). Blocking;
 * call it before {@link ChatServer#start}. It takes about three seconds on a small machine. If the JVM is
 * stopped meanwhile (INT, TERM, HUP), a shutdown hook removes the directory.
 */
public final class ChatWarmUp {
    private static final int RECEIVERS = 16;
    private static final int BATCH = 20; // small batches: the per-member path runs once a batch, and must be compiled too
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final String TEXT = "warm-up " + "x".repeat(80);
    /** Lines sent one at a time, each a turn of the server's loop (its per-turn code compiles at ~10,000). */
    private static final int SINGLE_LINES = 12_000;
    /** A member joins after this many single lines. */
    private static final int JOIN_EVERY = 1_500;
    /** Members joining at once, and the lines they take part in. */
    private static final int CROWD = 100;
    private static final int CROWD_LINES = 500;
    /** Lines in a burst: more than a member's socket holds, less than the output a member may have waiting. */
    private static final int BURST_LINES = 2_000;
    private static final int BURSTS = 4;
    /** Bytes per write of a burst: not a multiple of a line's length, so that reads end inside lines. */
    private static final int BURST_WRITE = 1_000;

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

    @SuppressWarnings("try") // the nickless connection only needs to stay open
    private static void exchange(Path socket, int deliveries) throws IOException {
        List<Client> receivers = new ArrayList<>();
        List<Client> failing = new ArrayList<>(); // deaf and rude members, closed at the end
        try (Client sender = Client.join(socket, "warm-up-sender");
             StreamSocket nickless = StreamSocket.connect(UnixEndpoint.path(socket), STEP_TIMEOUT)) {
            for (int i = 0; i < RECEIVERS; i++) {
                receivers.add(Client.join(socket, "warm-up-" + i));
            }
            byte[] batch = (TEXT + "\n").repeat(BATCH).getBytes(StandardCharsets.US_ASCII);
            for (int round = 0; (long) round * RECEIVERS * (BATCH + 1) < deliveries; round++) {
                sender.socket.write(ByteBuffer.wrap(batch), STEP_TIMEOUT);
                sender.say("end " + round);
                awaitAll(receivers, "<warm-up-sender> end " + round + "\n");
            }
            crowd(socket, sender, receivers);
            for (int line = 1; line <= SINGLE_LINES; line++) {
                sender.say("single " + line);
                awaitAll(receivers, "<warm-up-sender> single " + line + "\n");
                if (line % JOIN_EVERY == 0) {
                    receivers.add(Client.join(socket, "warm-up-late-" + line));
                } else if (line % JOIN_EVERY == JOIN_EVERY / 2 && receivers.size() > RECEIVERS) {
                    receivers.removeLast().close(); // leaves with lines on their way to it
                } else if (line % JOIN_EVERY == JOIN_EVERY / 4) {
                    failing.add(Client.join(socket, "warm-up-deaf-" + line));
                    failing.getLast().socket.shutdownInput(); // the server's next send to it fails: EPIPE
                } else if (line % JOIN_EVERY == 3 * JOIN_EVERY / 4) {
                    failing.add(Client.join(socket, "warm-up-rude-" + line));
                } else if (line % JOIN_EVERY == 3 * JOIN_EVERY / 4 + 1) {
                    failing.getLast().close(); // a line unread: the server's read fails, ECONNRESET
                }
            }
        } finally {
            for (Client r : receivers) {
                r.close();
            }
            for (Client f : failing) {
                f.close();
            }
        }
    }

    /**
     * The sender sends {@value #BURST_LINES} lines at once, in writes that cut lines in two, before anyone
     * reads, with the crowd there: the server reads more than a turn's budget, meets lines split across reads,
     * fills its staging buffer, and finds members' sockets full (partial sends, then waiting for room). A burst
     * to a fresh server otherwise met these branches first during real traffic and ran in the interpreter while
     * they were compiled (measured: a 1,000-line burst to 100 members, 2.9-3.9 M deliveries/s on a fresh server,
     * 5-6 M later).
     */
    private static void bursts(Client sender, List<Client> receivers) throws IOException {
        byte[] lines = (TEXT + "\n").repeat(BURST_LINES).getBytes(StandardCharsets.US_ASCII);
        for (int burst = 0; burst < BURSTS; burst++) {
            for (int at = 0; at < lines.length; at += BURST_WRITE) {
                sender.socket.write(ByteBuffer.wrap(lines, at, Math.min(BURST_WRITE, lines.length - at)),
                        STEP_TIMEOUT);
            }
            sender.say("burst " + burst);
            awaitAll(receivers, "<warm-up-sender> burst " + burst + "\n");
        }
    }

    /**
     * A crowd joins at once, as a load test's or a restart's clients do, and takes part in a few hundred lines,
     * then leaves: the join burst's paths (announcements to all, full sockets, long queues) are compiled here
     * rather than during the first real traffic. It comes before the single lines: its leaving takes branches
     * (end of input, failed sends, departures) that compiled code had not met, which sends that code back to the
     * interpreter (-Xlog:deoptimization: unstable_if in the batch's send and the socket's read); the single
     * lines after it compile it again, with those branches, before the real server listens.
     */
    private static void crowd(Path socket, Client sender, List<Client> receivers) throws IOException {
        List<Client> crowd = new ArrayList<>();
        try {
            for (int i = 0; i < CROWD; i++) {
                crowd.add(Client.connect(socket));
            }
            for (int i = 0; i < CROWD; i++) {
                crowd.get(i).say("warm-up-crowd-" + i);
            }
            for (int i = 0; i < CROWD; i++) {
                crowd.get(i).awaitLine("*** you are warm-up-crowd-" + i + ";");
            }
            for (int line = 1; line <= CROWD_LINES; line++) {
                sender.say("crowd " + line);
                awaitAll(receivers, "<warm-up-sender> crowd " + line + "\n");
                awaitAll(crowd, "<warm-up-sender> crowd " + line + "\n");
            }
            List<Client> everyone = new ArrayList<>(receivers);
            everyone.addAll(crowd);
            bursts(sender, everyone);
        } finally {
            for (Client c : crowd) {
                c.close();
            }
        }
        sender.say("after the crowd");
        awaitAll(receivers, "<warm-up-sender> after the crowd\n");
    }

    private static void awaitAll(List<Client> receivers, String line) throws IOException {
        for (Client r : receivers) {
            r.awaitLine(line);
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

        static Client connect(Path server) throws IOException {
            return new Client(StreamSocket.connect(UnixEndpoint.path(server), STEP_TIMEOUT));
        }

        static Client join(Path server, String nick) throws IOException {
            Client m = connect(server);
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
