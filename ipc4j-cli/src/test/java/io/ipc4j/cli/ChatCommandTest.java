package io.ipc4j.cli;

import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j chat serve --group} and {@code ipc4j chat log}, as a user runs them. */
class ChatCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /**
     * chat load, small: every delivery counted, the server's CPU per delivery printed, and Redis's row beside
     * it when redis-server is installed; nothing left behind.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} receiving threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void loadMeasuresChatAndRedisSideBySide(int readers) throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "chat", "load", "--clients", "20", "--messages", "200",
                "--readers", String.valueOf(readers)).run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("20 receivers read by " + readers + " thread")),
                result.describe());
        assertTrue(lines.stream().anyMatch(l -> l.contains("the first 20 messages of each run are warm-up, not"
                + " measured")), result.describe());
        String chat = lines.stream().filter(l -> l.strip().startsWith("ipc4j-chat (20 clients)")).findFirst()
                .orElseThrow(() -> new AssertionError(result.describe()));
        String[] columns = chat.strip().split(" +");
        assertTrue(Double.parseDouble(columns[columns.length - 1]) > 0, "server ns per delivery: " + chat);
        assertTrue(Long.parseLong(columns[3].replace(",", "")) > 0, "deliveries per second: " + chat);
        if (io.ipc4j.cli.Tools.which("redis-server") != null) {
            assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("redis PUBLISH (20 subscribers)")),
                    result.describe());
            assertTrue(lines.stream().anyMatch(l -> l.contains("of the server CPU per delivery")), result.describe());
        }
    }

    /**
     * chat load --client c and --client uring: the one-publisher C client measures both servers, receiving as
     * asked (its rows and its note printed); --readers is refused with it, naming what it is for.
     */
    @ParameterizedTest
    @ValueSource(strings = {"c", "uring"})
    void loadWithTheCClient(String client) throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "chat", "load", "--client", client, "--clients", "20",
                "--messages", "200", "--rounds", "1").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        String tool = client.equals("c") ? "the one-publisher C client" : "the one-publisher C client on io_uring";
        assertTrue(lines.stream().anyMatch(l -> l.contains("20 receivers read by " + tool + ", 200 messages of 100"
                + " bytes")), result.describe());
        assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("ipc4j-chat (20 clients)")), result.describe());
        if (io.ipc4j.cli.Tools.which("redis-server") != null) {
            assertTrue(lines.stream().anyMatch(l -> l.strip().startsWith("redis PUBLISH (20 subscribers)")),
                    result.describe());
            String note = client.equals("c") ? "  (the C client reads each ready subscriber with one recv(2)"
                    : "  (the C client collects every subscriber's receives with one io_uring_enter(2)";
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(note)), result.describe());
        }
        ChildJvm.Result refused = ChildJvm.of(Ipc4j.class, "chat", "load", "--client", client, "--readers", "2")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(2, refused.status().code(), refused.describe());
        assertTrue(refused.stderr().contains("--readers 2 is for --client java: the C client reads on one thread"),
                refused.describe());
    }

    /** With --control a second redis-server takes its turns too, and its line says how it compares with the first. */
    @Test
    void loadWithAControlComparesRedisWithItself() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.ipc4j.cli.Tools.which("redis-server") != null,
                "redis-server is installed by .ci/run; without it there is no control to run");
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "chat", "load", "--clients", "20", "--messages", "200",
                "--rounds", "2", "--control").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        assertTrue(result.stdoutLines().stream().anyMatch(l -> l.matches("  control: a second redis-server run against"
                + " the first: [0-9.]+ of the deliveries per second \\(rounds [0-9.]+-[0-9.]+\\), p99 [0-9.]+ against"
                + " [0-9.]+ ms")), result.describe());
        assertEquals(2, result.stdoutLines().stream().filter(l -> l.matches("round [12] of 2 done")).count(),
                result.describe());
    }

    /** The warm-up prints its time; when it cannot run (no temporary directory), the server serves anyway. */
    @Test
    void serveWarmsUpFirstAndServesEvenWhenTheWarmUpCannotRun() throws Exception {
        Path socket = LEAKS.scratch().resolve("chat.sock");
        Path log = LEAKS.scratch().resolve("log");
        try {
            for (boolean tmpMissing : new boolean[] {false, true}) {
                ChildJvm child = ChildJvm.of(Ipc4j.class, "chat", "serve", "--socket", socket.toString(), "--log",
                        log.toString());
                if (tmpMissing) {
                    child.jvmOption("-Djava.io.tmpdir=" + LEAKS.scratch().resolve("no-such-directory"));
                }
                try (ChildJvm.Running server = child.start()) {
                    server.awaitLine(l -> l.startsWith("ipc4j-chat listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
                    Signals.send(server.pid(), Signal.TERM);
                    ChildJvm.Result result = server.finish(ChildJvm.DEFAULT_TIMEOUT);
                    assertEquals(143, result.status().code(), result.describe());
                    assertEquals(!tmpMissing, result.stdoutLines().getFirst().matches(
                            "ipc4j-chat warmed up in \\d+ ms \\(--no-warm-up skips it\\)"), result.describe());
                    assertEquals(tmpMissing, result.stderr().contains(
                            "ipc4j-chat: the warm-up failed, serving without it: "), result.describe());
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(log)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void serveWithGroupAccessThenPrintTheLog() throws Exception {
        Path socket = LEAKS.scratch().resolve("chat.sock");
        Path log = LEAKS.scratch().resolve("log");
        try {
            try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "chat", "serve", "--socket", socket.toString(),
                    "--log", log.toString(), "--group").start()) {
                server.awaitLine(l -> l.startsWith("ipc4j-chat listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
                assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
                try (SocketChannel a = open(socket); SocketChannel b = open(socket)) {
                    BufferedReader bIn = new BufferedReader(new InputStreamReader(Channels.newInputStream(b),
                            StandardCharsets.UTF_8));
                    write(a, "ann\n");
                    write(b, "ben\n");
                    awaitLine(bIn, "*** you are ben");
                    write(a, "first\n/me laughs\nsecond\n");
                    assertEquals("<ann> second", awaitLine(bIn, "<ann> second"));
                }
                Signals.send(server.pid(), Signal.TERM);
                assertEquals(143, server.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
                assertFalse(Files.exists(socket));
            }
            ChildJvm.Result printed = ChildJvm.of(Ipc4j.class, "chat", "log", log.toString())
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(0, printed.status().code(), printed.describe());
            List<String> lines = printed.stdoutLines();
            assertEquals(3, lines.size(), printed.describe());
            assertTrue(lines.get(0).matches("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d] <ann> first"), lines.get(0));
            assertTrue(lines.get(1).endsWith("] * ann laughs"), lines.get(1));
            assertTrue(lines.get(2).endsWith("] <ann> second"), lines.get(2));
        } finally {
            try (Stream<Path> files = Files.walk(log)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void joinRefusesAServerThatRunsAsAnotherUser() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return; // the test must be two users: nobody squats, root joins
        }
        // #16.5: nobody created the socket path first; root's chat join connected and nobody logged its lines
        Path shared = Path.of("/tmp", "ipc4j-squat-" + ProcessHandle.current().pid());
        Files.createDirectory(shared);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = shared.resolve("ipc4j-chat.sock");
        try (ChildJvm.Running impostor = ChildJvm.of(ImpostorServer.class, socket.toString()).asNobody().start()) {
            impostor.awaitLine("listening"::equals, ChildJvm.DEFAULT_TIMEOUT);
            ChildJvm.Result join = ChildJvm.of(Ipc4j.class, "chat", "join", "--socket", socket.toString(), "--nick",
                    "root").run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(1, join.status().code(), join.describe());
            assertEquals("ipc4j: the server on " + socket + " runs as uid 65534, not as you (uid 0): it may be an"
                    + " impostor that reads what you type. If you trust it, pass --allow-uid 65534",
                    join.stderr().strip());
            ChildJvm.Result heard = impostor.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertFalse(heard.stdout().contains("heard: root"), "the nick was never sent: " + heard.describe());
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(shared);
        }
    }

    @Test
    void chatLogWarnsAboutDamageAndExitsNonZero() throws Exception {
        // #16.8: chat log printed up to the damage and exited 0
        Path log = LEAKS.scratch().resolve("log");
        Files.createDirectory(log);
        try {
            byte[] segment = new byte[1 << 16];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(segment).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.put("IPC4JCHT".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(0);
            b.putInt(0xfffff).putInt(0); // a torn record: a length no record has
            Files.write(log.resolve("chat-000000.log"), segment);
            ChildJvm.Result printed = ChildJvm.of(Ipc4j.class, "chat", "log", log.toString())
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(1, printed.status().code(), printed.describe());
            assertTrue(printed.stderr().contains("ipc4j chat log: damage in " + log + ": chat-000000.log: cut short"
                    + " at 65536 bytes of 16777216"), printed.describe());
            assertTrue(printed.stderr().contains("chat-000000.log: damage from byte 16 to the segment's end (torn"
                    + " record (length 1048575))"), printed.describe());
            ChildJvm.Result missing = ChildJvm.of(Ipc4j.class, "chat", "log", "/missing-ipc4j-log")
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(1, missing.status().code(), missing.describe());
            assertEquals("ipc4j: /missing-ipc4j-log: no chat log directory there", missing.stderr().strip());
        } finally {
            Files.deleteIfExists(log.resolve("chat-000000.log"));
            Files.delete(log);
        }
    }

    private static SocketChannel open(Path socket) throws java.io.IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void write(SocketChannel ch, String text) throws java.io.IOException {
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String awaitLine(BufferedReader in, String prefix) throws java.io.IOException {
        for (String l; (l = in.readLine()) != null; ) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new java.io.EOFException("closed before " + prefix);
    }

    /** TERM in the middle of chat load stops the chat server and removes the work directory (both were left). */
    @Test
    void termInTheMiddleOfTheLoadLeavesNoServerOrDirectory() throws Exception {
        List<Path> before = Leftovers.directories("ipc4j-chat-load-");
        try (ChildJvm.Running load = ChildJvm.of(Ipc4j.class, "chat", "load", "--clients", "20", "--messages",
                "50000000").start()) {
            load.awaitLine(l -> l.startsWith("ipc4j-chat listening on"), ChildJvm.DEFAULT_TIMEOUT);
            Signals.send(load.pid(), Signal.TERM);
            assertEquals(143, load.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
        }
        assertEquals(before, Leftovers.directories("ipc4j-chat-load-"), "a work directory was left behind");
        assertEquals(List.of(), Leftovers.processes("ipc4j-chat-load-"), "a server was left running");
    }
}
