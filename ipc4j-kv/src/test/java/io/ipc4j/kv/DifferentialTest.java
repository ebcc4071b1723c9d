package io.ipc4j.kv;

import io.ipc4j.testing.ChildJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same workload against redis-server and ipc4j-kv, every reply compared (the scripts in
 * src/test/resources/differential; see {@link Differential} for their marks). Needs redis-server on the PATH
 * (.ci/run installs Debian's, 7.0); without it each test is skipped, saying so.
 */
class DifferentialTest {
    private static Path directory;
    private static Process redis;
    private static ChildJvm.Running kv;
    private static Path redisSocket;
    private static Path kvSocket;

    @BeforeAll
    static void startBoth() throws Exception {
        String program = onPath("redis-server");
        assumeTrue(program != null, "redis-server is not installed (apt-get install redis-server; .ci/run does):"
                + " the differential tests against it are skipped");
        directory = Files.createTempDirectory("ipc4j-kv-differential");
        redisSocket = directory.resolve("redis.sock");
        kvSocket = directory.resolve("kv.sock");
        redis = new ProcessBuilder(program, "--port", "0", "--unixsocket", redisSocket.toString(), "--unixsocketperm",
                "600", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", directory.toString())
                .redirectOutput(directory.resolve("redis.log").toFile()).redirectErrorStream(true).start();
        awaitSocket(redisSocket);
        kv = KvServerTest.startServer(kvSocket);
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (kv != null) {
            KvServerTest.shutdown(kvSocket, kv);
        }
        if (redis != null) {
            redis.destroy();
            assertTrue(redis.waitFor(10, TimeUnit.SECONDS), "redis-server ends on TERM");
        }
        if (directory != null) {
            PersistenceTest.deleteTree(directory);
        }
    }

    @BeforeEach
    void emptyBoth() throws Exception {
        for (Path socket : List.of(redisSocket, kvSocket)) {
            try (Resp r = new Resp(socket)) {
                assertEquals("+OK", r.call("FLUSHALL"));
                assertEquals("+OK", r.call("CONFIG", "RESETSTAT"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"strings", "keys", "lists", "blocking", "hashes", "sets", "sortedsets", "pubsub",
        "transactions", "admin", "resp3", "protocol"})
    void everyReplyIsRedisS(String workload) throws Exception {
        compare(workload + ".txt", script(workload));
    }

    private static void compare(String workload, List<String> script) throws Exception {
        List<Differential.Outcome> expected;
        List<Differential.Outcome> actual;
        try (Differential d = new Differential(redisSocket)) {
            expected = d.run(script);
        }
        try (Differential d = new Differential(kvSocket)) {
            actual = d.run(script);
        }
        assertEquals(expected.size(), actual.size());
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            Differential.Outcome e = expected.get(i);
            Differential.Outcome a = actual.get(i);
            if (e.recorded() != null && !e.recorded().equals(a.recorded())) {
                differences.add(workload + ":" + e.line() + " " + e.text() + "\n    redis-server: "
                        + e.recorded() + "\n    ipc4j-kv:     " + a.recorded() + history(expected, i));
            }
        }
        assertTrue(differences.isEmpty(), differences.size() + " of " + expected.size() + " replies differ:\n"
                + String.join("\n", differences.subList(0, Math.min(40, differences.size()))));
    }

    /**
     * A differential fuzzer: random commands over a few colliding keys (see {@link CommandFuzzer}), the same
     * stream to both servers, every reply compared. Seeded, so a failure repeats; bounded at 4,000 commands.
     */
    @ParameterizedTest
    @ValueSource(longs = {2026, 7, 19})
    void randomCommandsGetRedisSReplies(long seed) throws Exception {
        CommandFuzzer fuzzer = new CommandFuzzer(seed);
        List<String> script = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            script.add(fuzzer.next());
        }
        compare("seed " + seed, script);
    }

    /** The last few earlier lines naming the same key (its first word not in capitals), to show its history. */
    private static String history(List<Differential.Outcome> lines, int at) {
        String[] words = lines.get(at).text().replaceFirst("^[~?!&] ", "").split(" ");
        String key = null;
        for (int w = 1; w < words.length && key == null; w++) {
            key = words[w].equals(words[w].toUpperCase(java.util.Locale.ROOT)) ? null : words[w];
        }
        if (key == null) {
            return "";
        }
        List<String> before = new ArrayList<>();
        for (int i = at - 1; i >= 0 && before.size() < 6; i--) {
            if ((" " + lines.get(i).text() + " ").contains(" " + key + " ")) {
                before.addFirst("      after " + lines.get(i).text() + " -> " + lines.get(i).recorded());
            }
        }
        return before.isEmpty() ? "" : "\n" + String.join("\n", before);
    }

    private static List<String> script(String name) throws IOException {
        try (InputStream in = DifferentialTest.class.getResourceAsStream("/differential/" + name + ".txt")) {
            if (in == null) {
                throw new IOException("no workload " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static void awaitSocket(Path socket) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(socket));
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !redis.isAlive()) {
                    throw new IOException("redis-server does not listen on " + socket + ": "
                            + Files.readString(directory.resolve("redis.log")));
                }
                Thread.sleep(20);
            }
        }
    }

    static String onPath(String name) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }
}
