package io.ipc4j.cli;

import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j kv serve} as a user runs it: redis-cli talks to it, TERM stops it and removes the socket. */
class KvCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void servesRedisCliAndStopsCleanlyOnTerm() throws Exception {
        Path socket = LEAKS.scratch().resolve("kv.sock");
        try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "kv", "serve", "--socket", socket.toString(),
                "--mode", "660").start()) {
            server.awaitLine(l -> l.startsWith("ipc4j-kv listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            Process cli = new ProcessBuilder("redis-cli", "-s", socket.toString(), "SET", "from", "redis-cli")
                    .redirectErrorStream(true).start();
            assertEquals("OK", new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            assertEquals(0, cli.waitFor());

            Signals.send(server.pid(), Signal.TERM);

            ChildJvm.Result result = server.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(143, result.status().code(), result.describe());
            assertEquals(List.of("ipc4j-kv listening on " + socket + " (pid " + server.pid() + "); redis-cli -s "
                    + socket, "ipc4j-kv stopped; socket file removed"), result.stdoutLines());
            assertFalse(Files.exists(socket), "TERM removes the socket file");
        }
    }

    private static String redisCli(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("redis-cli", "--no-auth-warning"));
        command.addAll(List.of(args));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, cli.waitFor(), out);
        return out;
    }

    private static int tcpPort(ChildJvm.Running server, Path socket) throws Exception {
        String line = server.awaitLine(l -> l.startsWith("ipc4j-kv listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
        return Integer.parseInt(line.replaceAll(".* and tcp port (\\d+) .*", "$1"));
    }

    @Test
    void tcpIsRefusedInProtectedModeAndAPasswordGuardsEveryCommand() throws Exception {
        // #16.6: --tcp bypassed the 0600 socket: any local user could read root's keys and SHUTDOWN the server
        Path socket = LEAKS.scratch().resolve("kv.sock");
        try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "kv", "serve", "--socket", socket.toString(),
                "--tcp", "0.0.0.0:0").start()) {
            int port = tcpPort(server, socket);
            assertTrue(redisCli("-p", String.valueOf(port), "SHUTDOWN").startsWith("DENIED ipc4j-kv is running in"
                    + " protected mode: TCP clients are refused while no password is set, loopback included"));
            assertEquals("PONG", redisCli("-s", socket.toString(), "PING"), "the Unix socket is its own guard");
            Signals.send(server.pid(), Signal.TERM);
            ChildJvm.Result result = server.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertTrue(result.stderr().startsWith("ipc4j-kv: WARNING: listening on /0.0.0.0:0, beyond loopback:"
                    + " anyone who can reach this machine on any of its addresses can connect."), result.describe());
        }
        try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "kv", "serve", "--socket", socket.toString(),
                "--tcp", "127.0.0.1:0", "--requirepass", "s3cret").start()) {
            String port = String.valueOf(tcpPort(server, socket));
            assertEquals("NOAUTH Authentication required.", redisCli("-p", port, "SHUTDOWN"));
            assertEquals("NOAUTH Authentication required.", redisCli("-s", socket.toString(), "GET", "k"));
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.",
                    redisCli("-p", port, "AUTH", "guess"));
            assertEquals("OK", redisCli("-a", "s3cret", "-p", port, "SET", "k", "v"));
            assertEquals("v", redisCli("-a", "s3cret", "-s", socket.toString(), "GET", "k"));
            assertEquals("OK", redisCli("-p", port, "AUTH", "default", "s3cret"));
            assertTrue(server.process().isAlive(), "nobody without the password stopped it");
            Signals.send(server.pid(), Signal.TERM);
            assertEquals(143, server.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
        }
    }

    /**
     * {@code kv bench} runs both servers (and, with --control, a second redis-server) as processes of their own,
     * in turns, and prints each test's medians; tiny numbers here (the figures themselves are for a person to
     * read, not for a test to judge).
     */
    @Test
    void benchInterleavesTheServersAndLeavesNothingRunning() throws Exception {
        boolean redis = new ProcessBuilder("sh", "-c", "command -v redis-server").start().waitFor() == 0;
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "kv", "bench", "--requests", "2000", "--rounds", "2",
                "--tests", "ping,get", "--pipeline", "4", "--control").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("median of 2 interleaved rounds")), result.describe());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("round ")).count(), result.describe());
        String sized = lines.stream().filter(l -> l.startsWith("pipelined runs last about as long")).findFirst()
                .orElseThrow(() -> new AssertionError(result.describe()));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(": ping (\\d+), get (\\d+) requests$").matcher(sized);
        assertTrue(m.find(), sized);
        for (int i = 1; i <= 2; i++) { // never fewer than --requests, at most 64 times as many
            long n = Long.parseLong(m.group(i));
            assertTrue(n >= 2000 && n <= 64 * 2000, sized);
        }
        for (String depth : List.of("pipeline 1", "pipeline 4")) {
            int at = lines.indexOf(depth);
            assertTrue(at > 0, depth + " missing: " + result.describe());
            List<String> rows = lines.subList(at + 2, at + 5);
            assertEquals(List.of("PING_INLINE", "PING_MBULK", "GET"),
                    rows.stream().map(l -> l.strip().split(" +")[0]).toList(), result.describe());
            for (String row : rows) {
                String[] f = row.strip().split(" +");
                assertTrue(Double.parseDouble(f[1].replace(",", "")) > 0, row);
                assertTrue(Double.parseDouble(f[4]) > 0, "kv's CPU per request: " + row);
                assertEquals(redis ? 11 : 10, f.length, row);
            }
            if (redis) {
                String verdict = lines.get(at + 5);
                assertTrue(verdict.matches("  ipc4j-kv at or above redis-server in [0-3] of 3 tests \\(median ratio\\),"
                        + " p99 no higher in [0-3] of 3"), verdict);
                String noise = lines.get(at + 6); // --control: a second redis-server reckoned against the first
                assertTrue(noise.matches("  control: a second redis-server at or above the first in [0-3] of 3 tests"
                        + " \\(median ratios [0-9.]+-[0-9.]+\\), p99 no higher in [0-3] of 3"
                        + " \\(p99 ratios [0-9.]+-[0-9.]+\\)"), noise);
            }
        }
        assertEquals(List.of(), Leftovers.processes("ipc4j-kv-bench-"), "a server the bench started still runs");
    }

    /** kv pubsub: ipc4j-kv's fan-out beside redis-server's (when installed), every figure there. */
    @Test
    void pubsubMeasuresKvAndRedisSideBySide() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "kv", "pubsub", "--clients", "20", "--messages", "200",
                "--rounds", "1").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        String kv = lines.stream().filter(l -> l.strip().startsWith("ipc4j-kv PUBLISH (20 subscribers)")).findFirst()
                .orElseThrow(() -> new AssertionError(result.describe()));
        String[] columns = kv.strip().split(" +");
        assertTrue(Long.parseLong(columns[4].replace(",", "")) > 0, "deliveries per second: " + kv);
        assertTrue(Double.parseDouble(columns[columns.length - 1]) > 0, "server ns per delivery: " + kv);
        if (io.ipc4j.cli.Tools.which("redis-server") != null) {
            assertTrue(lines.stream().anyMatch(l -> l.contains("ipc4j-kv / redis: ")), result.describe());
        }
        assertEquals(List.of(), Leftovers.processes("ipc4j-kv-pubsub-"), "a server the command started still runs");
    }

    /** TERM in the middle of kv bench stops both servers and removes the work directory (both were left). */
    @Test
    void termInTheMiddleOfTheBenchLeavesNoServerOrDirectory() throws Exception {
        List<Path> before = Leftovers.directories("ipc4j-kv-bench-");
        try (ChildJvm.Running bench = ChildJvm.of(Ipc4j.class, "kv", "bench", "--requests", "50000000",
                "--tests", "get").start()) {
            bench.awaitLine(l -> l.startsWith("warming up"), ChildJvm.DEFAULT_TIMEOUT); // both servers are up
            Signals.send(bench.pid(), Signal.TERM);
            assertEquals(143, bench.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
        }
        assertEquals(before, Leftovers.directories("ipc4j-kv-bench-"), "a work directory was left behind");
        assertEquals(List.of(), Leftovers.processes("ipc4j-kv-bench-"), "a server was left running");
    }
}
