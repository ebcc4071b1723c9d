package io.ipc4j.cli;

import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j bench}, run as a user would, small. */
class BenchCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void echoDrivesTheThreeServersWithTheSameClientAndLeavesNoSocketBehind() throws Exception {
        java.util.Set<Path> before = echoDirectories();
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "bench", "echo", "--connections", "1,3", "--seconds", "1",
                "--rounds", "1").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        java.util.List<String> rows = result.stdoutLines().stream().filter(l -> l.matches("(ipc4j|netty|jdk) .*"))
                .toList();
        assertEquals(java.util.List.of("ipc4j 1", "netty 1", "jdk 1", "ipc4j 3", "netty 3", "jdk 3"),
                rows.stream().map(l -> l.replaceAll("^(\\w+) +(\\d+) .*", "$1 $2")).toList(), result.describe());
        assertTrue(rows.stream().filter(l -> l.startsWith("netty")).allMatch(l -> l.contains(" 1.00x ")
                && l.endsWith(" 1.00x (1.00-1.00)")), result.describe()); // the rounds' ratios, median and range
        assertTrue(rows.stream().noneMatch(l -> l.contains(" 0 ") || l.contains("NaN")), result.describe());
        assertEquals(before, echoDirectories(), "a socket directory was left behind");
    }

    private static java.util.Set<Path> echoDirectories() throws java.io.IOException {
        try (var listing = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return listing.filter(p -> p.getFileName().toString().startsWith("ipc4j-bench-echo-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void pairedStreamsTakeTurnsAndReportTheRatio() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "bench", "--paired", "pipe,unix-stream", "--sizes", "64,4096",
                "--turns", "2").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        String table = result.stdout();
        assertTrue(table.startsWith("Paired streams, anonymous pipe (A) and Unix stream socket (B), taking turns"),
                table);
        assertTrue(table.lines().anyMatch(l -> l.matches(" +64 B +100,000 +[0-9,]+ +[0-9,]+ +[0-9.]+ .*")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches(" +4096 B +32,768 +[0-9,]+ +[0-9,]+ +[0-9.]+ .*")), table);
        ChildJvm.Result same = ChildJvm.of(Ipc4j.class, "bench", "--paired", "pipe,pipe").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(1, same.status().code());
        assertTrue(same.stderr().startsWith("ipc4j: --paired takes two different mechanism ids"), same.stderr());
        ChildJvm.Result flag = ChildJvm.of(Ipc4j.class, "bench", "--paired", "posix-sem,pipe")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(1, flag.status().code());
        assertTrue(flag.stderr().startsWith("ipc4j: posix-sem cannot stream here: it carries no payload"),
                flag.stderr());
    }

    /** TERM while bench echo measures stops the echo server and deletes the socket directory (both were left). */
    @Test
    void termDuringBenchEchoLeavesNoServerOrDirectory() throws Exception {
        java.util.List<Path> before = Leftovers.directories("ipc4j-bench-echo-");
        try (ChildJvm.Running bench = ChildJvm.of(Ipc4j.class, "bench", "echo", "--connections", "1", "--seconds",
                "300", "--rounds", "1").start()) {
            long deadline = System.nanoTime() + ChildJvm.DEFAULT_TIMEOUT.toNanos();
            while (Leftovers.processes("ipc4j-bench-echo-").isEmpty()) { // a server is up: the run is under way
                assertTrue(System.nanoTime() < deadline && bench.process().isAlive(), "no echo server started");
                Thread.sleep(20);
            }
            Signals.send(bench.pid(), Signal.TERM);
            assertEquals(143, bench.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
        }
        assertEquals(before, Leftovers.directories("ipc4j-bench-echo-"), "a socket directory was left behind");
        assertEquals(java.util.List.of(), Leftovers.processes("ipc4j-bench-echo-"), "an echo server was left running");
    }

    @Test
    void anInterruptedBenchLeavesNoDirectoryQueueOrChildBehind() throws Exception {
        // #16.7: INT during a run left /tmp/ipc4j-bench-* (and whatever the running mechanism had made)
        java.util.Set<Path> before = benchDirectories();
        try (ChildJvm.Running bench = ChildJvm.of(Ipc4j.class, "bench", "--only", "posix-mq", "--sizes", "64",
                "--iterations", "10000000", "--no-c").start()) {
            Path queue = Path.of("/dev/mqueue", "ipc4j-bench-" + bench.pid() + "-down");
            long deadline = System.nanoTime() + ChildJvm.DEFAULT_TIMEOUT.toNanos();
            while (!Files.exists(queue)) { // the session is open: the run is under way
                assertTrue(System.nanoTime() < deadline && bench.process().isAlive(), "the bench never opened "
                        + queue);
                Thread.sleep(20);
            }
            Signals.send(bench.pid(), Signal.INT);
            ChildJvm.Result result = bench.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(130, result.status().code(), result.describe());
            assertFalse(Files.exists(queue), "the queue was unlinked");
            assertEquals(before, benchDirectories(), "no new /tmp/ipc4j-bench-* directory is left");
            assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().arguments().map(a ->
                    String.join(" ", a).contains("ipc4j-bench-" + bench.pid())).orElse(false)),
                    "the bench's child process went with it");
        }
    }

    private static java.util.Set<Path> benchDirectories() throws java.io.IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("ipc4j-bench-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aSmallRunPrintsTheTableAndWritesTheResults() throws Exception {
        Path out = LEAKS.scratch().resolve("results");
        try {
            ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "bench", "--only", "pipe,posix-sem,eventfd", "--sizes",
                    "64", "--iterations", "200", "--warmup", "20", "--out", out.toString()).run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(0, result.status().code(), result.describe());
            String table = result.stdout();
            assertTrue(table.contains("64 B messages"), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("  anonymous pipe ")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("  POSIX semaphore ")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("  eventfd ")), table);
            assertTrue(Files.exists(out.resolve("latest.json")));
            ChildJvm.Result compared = ChildJvm.of(Ipc4j.class, "bench", "--only", "pipe", "--sizes", "64",
                    "--iterations", "200", "--warmup", "20", "--no-c", "--out", out.toString(), "--compare",
                    out.resolve("latest.json").toString()).run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(0, compared.status().code(), compared.describe());
            assertTrue(compared.stdout().contains("Compared with the run of "), compared.stdout());
            ChildJvm.Result bad = ChildJvm.of(Ipc4j.class, "bench", "--only", "carrier-pigeon")
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(1, bad.status().code());
            assertTrue(bad.stderr().startsWith("ipc4j: no mechanism 'carrier-pigeon': choose from pipe, fifo, "),
                    bad.stderr());
        } finally {
            if (Files.exists(out)) {
                try (Stream<Path> files = Files.walk(out)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
