package io.ipc4j.cli;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j demo ...} run as a user would: the command in one JVM, its child in another. */
class DemoCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /**
     * #16.7: INT (Ctrl-C) in the middle of each demo that makes named objects. A finally block does not run on a
     * signal; the objects (IpcLeakCheck sees /dev/shm, /dev/mqueue and System V), the files the demo names
     * in its output, and the child it started must all be gone once it exits 130.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "shm --messages 100000|created shared memory",
        "mq|created POSIX queue",
        "sem --workers 5|semaphore set",
        "fifo --messages 100000|created FIFO",
        "socket|listening on",
        "signal|child",
        "loop|one thread, one epoll set",
        "channel --messages 100000000|created channel"})
    void interruptingADemoLeavesNothingBehind(String command, String started) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("demo"));
        args.addAll(List.of(command.split(" ")));
        try (ChildJvm.Running demo = ChildJvm.of(Ipc4j.class, args.toArray(String[]::new)).start()) {
            String line = demo.awaitLine(l -> l.startsWith("parent[") && l.contains("] " + started),
                    ChildJvm.DEFAULT_TIMEOUT);
            Signals.send(demo.pid(), Signal.INT);
            ChildJvm.Result result = demo.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(130, result.status().code(), "interrupted while running: " + result.describe());
            java.util.regex.Matcher paths = java.util.regex.Pattern.compile("(/tmp/ipc4j-demo-[^ :\"]+)")
                    .matcher(result.stdout());
            while (paths.find()) {
                assertFalse(Files.exists(Path.of(paths.group(1))), paths.group(1) + " left behind: " + line);
            }
            java.util.regex.Matcher children = java.util.regex.Pattern.compile("child \\[(\\d+)]")
                    .matcher(result.stdout() + " " + line);
            while (children.find()) {
                long pid = Long.parseLong(children.group(1));
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "child " + pid + " outlived the demo");
            }
        }
    }

    @Test
    void pipeDemoExchangesEveryMessageWithAChildProcess() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "pipe", "--messages", "4")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        String parentPid = pidOf(lines, "parent[");
        String childPid = pidOf(lines, "child [");
        assertTrue(!parentPid.equals(childPid), "parent and child must be different processes");
        for (int i = 1; i <= 4; i++) {
            String upper = "HELLO FROM PARENT, MESSAGE " + i;
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("parent[") && l.contains("<- \"" + upper + "\"")),
                    result.describe());
        }
        assertTrue(lines.contains("child [" + childPid + "] end of stream after 4 messages: "
                + "the parent closed its end"), result.describe());
        assertTrue(lines.getLast().endsWith("ended: exit 0"), result.describe());
    }

    @Test
    void fifoDemoDeliversEveryMessageAndRemovesTheFifo() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "fifo", "--messages", "3")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> received = result.stdoutLines().stream().filter(l -> l.startsWith("parent[") && l.contains("<- "))
                .map(l -> l.substring(l.indexOf("<- ") + 3)).toList();
        assertEquals(List.of("\"Message 0\"", "\"Message 1\"", "\"Message 2\""), received);
        String fifo = result.stdoutLines().getFirst().replaceAll(".*created FIFO (\\S+) .*", "$1");
        assertTrue(fifo.endsWith("/demo.fifo"), result.describe());
        assertTrue(!Files.exists(Path.of(fifo)) && !Files.exists(Path.of(fifo).getParent()),
                "the demo left " + fifo + " behind");
    }

    @Test
    void shmDemoReadsEveryMessageTheWriterProcessWrote() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "shm", "--messages", "4")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> read = result.stdoutLines().stream().filter(l -> l.startsWith("parent[") && l.contains(" read "))
                .map(l -> l.replaceAll(".* read \"(.*)\" from shared memory", "$1")).toList();
        assertEquals(List.of("Hello from shared memory, message 1", "Hello from shared memory, message 2",
                "Hello from shared memory, message 3", "Hello from shared memory, message 4"), read);
        assertEquals(4, result.stdoutLines().stream().filter(l -> l.startsWith("child [") && l.contains(" wrote "))
                .count());
    }

    @Test
    void semDemoNeverLetsMoreThanTheSlotsIn() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "sem", "--workers", "4", "--slots", "2")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        assertEquals(4, lines.stream().filter(l -> l.matches("child \\[\\d+\\] worker \\d inside .*")).count(),
                result.describe());
        assertTrue(lines.stream().noneMatch(l -> l.contains("(3 inside now)")), result.describe());
        assertTrue(lines.getLast().matches(".*all 4 workers done; at most [12] were inside at once .*"),
                result.describe());
    }

    @Test
    void channelDemoDeliversEveryTickWithTheRightSum() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "channel", "--messages", "200000")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        assertTrue(result.stdoutLines().stream().anyMatch(l -> l.contains("received 200,000 ticks in ")
                && l.endsWith("sum of prices 2009900000 (expected 2009900000)")), result.describe());
        assertTrue(result.stdoutLines().stream().anyMatch(l -> l.startsWith("child [")
                && l.endsWith("sent 200,000 ticks and a done message")), result.describe());
    }

    @Test
    void signalDemoHandlesUsr1ReceivesEveryValueAndCleansUpOnTerm() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "signal").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> child = result.stdoutLines().stream().filter(l -> l.startsWith("child [")).toList();
        assertTrue(child.stream().anyMatch(l -> l.endsWith("handler: SIGUSR1, on thread ipc4j-signals"
                + " (an ordinary Java thread)")), result.describe());
        assertEquals(List.of("100", "200", "300"), child.stream().filter(l -> l.contains(" received SIGRTMIN+1 "))
                .map(l -> l.replaceAll(".*value=(\\d+) .*", "$1")).toList(), result.describe());
        assertEquals(1, child.stream().filter(l -> l.endsWith("TERM: clean-up runs once, then exit")).count());
        assertTrue(result.stdoutLines().getLast().endsWith(": removed"), result.describe());
    }

    @Test
    void loopDemoSeesEveryKindOfEventInTheChildsOrderOnOneThread() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "loop").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> events = result.stdoutLines().stream().filter(l -> l.matches("parent\\[\\d+] \\+ *\\d+ ms .*"))
                .toList();
        assertTrue(events.stream().allMatch(l -> l.endsWith("[thread main]")), result.describe());
        List<String> kinds = events.stream().map(l -> l.replaceAll(".* ms  (\\w+) .*", "$1"))
                .filter(kind -> !kind.equals("timer")).toList();
        assertEquals(6, kinds.size(), result.describe());
        assertEquals(List.of("pipe", "queue", "socket", "signal"), kinds.subList(0, 4), result.describe());
        assertEquals(java.util.Set.of("pipe", "exit"), java.util.Set.copyOf(kinds.subList(4, 6)),
                "the end of the pipe and the exit come together: " + result.describe());
        assertTrue(events.stream().anyMatch(l -> l.contains("queue  \"hello through the queue\" priority 7")),
                result.describe());
        assertTrue(events.stream().anyMatch(l -> l.contains("signal SIGRTMIN+2 value 42 from pid ")),
                result.describe());
        assertTrue(events.stream().anyMatch(l -> l.contains("timer  tick x")), result.describe());
        assertTrue(result.stdoutLines().getLast().endsWith("every kind, on one thread"), result.describe());
    }

    @Test
    void socketDemoPassesAFileAndSealedMemoryAndRemovesTheSocketFile() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "socket").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        List<String> lines = result.stdoutLines();
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("<- \"Hello from client!\"")), result.describe());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("<- \"Hello from server!\"")), result.describe());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("read through the passed descriptor: \"a line from a file"
                + " only the server opened\"")), result.describe());
        String sent = lines.stream().filter(l -> l.contains("sealed memfd, crc32c ")).findFirst().orElseThrow()
                .replaceAll(".*crc32c ", "");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("child [") && l.endsWith("crc32c " + sent)),
                result.describe());
        assertTrue(lines.getLast().endsWith("socket file removed"), result.describe());
    }

    @Test
    void anUnknownMechanismIsAUsageError() throws Exception {
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "demo", "carrier-pigeon").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(2, result.status().code(), result.describe());
        assertTrue(result.stderr().contains("Unmatched argument at index 1: 'carrier-pigeon'"), result.describe());
    }

    private static String pidOf(List<String> lines, String prefix) {
        try (Stream<String> s = lines.stream()) {
            return s.filter(l -> l.startsWith(prefix)).findFirst().orElseThrow()
                    .replaceAll("^[a-z ]+\\[(\\d+)\\].*", "$1");
        }
    }
}
