package io.ipc4j.process;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spawn: chosen descriptors at chosen numbers, nothing else, and exit statuses. */
class SpawnTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** close() holds no monitor while it waits now: two threads closing one child must both return cleanly. */
    @Test
    void twoThreadsClosingOneRunningChildBothReturnAndTheChildIsReaped() throws Exception {
        for (int round = 0; round < 20; round++) {
            ChildProcess child = Spawn.command("sleep", "60").start();
            java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Runnable close = () -> {
                try {
                    child.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            };
            Thread a = Thread.ofPlatform().start(close);
            Thread b = Thread.ofVirtual().start(close);
            a.join(60_000);
            b.join(60_000);
            assertEquals(java.util.List.of(), failures);
            assertFalse(child.isOpen());
            assertEquals(9, child.exitStatus().orElseThrow().signal(), "killed and reaped");
        }
    }

    @Test
    void childGetsExactlyTheDescriptorsItWasGiven() throws Exception {
        // A descriptor opened without close-on-exec, as much JDK and library code does: it must not leak.
        int careless = FileCalls.open("/dev/null", FileCalls.O_RDONLY, 0);
        try (Pipe out = Pipe.open(); Pipe extra = Pipe.open();
             ChildProcess child = Spawn.command("sleep", "60").stdout(out.writer()).inherit(extra.writer(), 7)
                     .start()) {
            // sleep(1) itself may hold a file open for a moment while it starts (locale data): a leaked
            // descriptor stays, so look until the set is the expected one or 5 s have passed
            List<String> fds = List.of();
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                try (Stream<Path> entries = Files.list(Path.of("/proc/" + child.pid() + "/fd"))) {
                    fds = entries.map(p -> p.getFileName().toString()).sorted().toList();
                }
            } while (!fds.equals(List.of("0", "1", "2", "7")) && System.nanoTime() < deadline);
            assertEquals(List.of("0", "1", "2", "7"), fds);
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + extra.writer().fd())),
                    Files.readSymbolicLink(Path.of("/proc/" + child.pid() + "/fd/7")));
        } finally {
            FileCalls.closeQuietly(careless);
        }
    }

    @Test
    void aDescriptorCanBeMovedToALowNumberThatIsTakenInTheParent() throws Exception {
        try (Pipe out = Pipe.open();
             ChildProcess child = Spawn.command("sh", "-c", "echo via-three >&3")
                     .inherit(out.writer(), 3).start()) {
            out.writer().close();
            try (InputStream in = out.reader().inputStream(LIMIT)) {
                assertEquals("via-three\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(new ExitStatus(0, 0), child.waitFor(LIMIT));
        }
    }

    @Test
    void handingAPipeEndToAChildLeavesTheParentsEndNonBlocking() throws Exception {
        try (Pipe pipe = Pipe.open();
             ChildProcess child = Spawn.command("sleep", "60").inherit(pipe.writer(), 3).start()) {
            int childFlags = Integer.parseInt(java.nio.file.Files.readAllLines(Path.of("/proc/" + child.pid()
                    + "/fdinfo/3")).stream().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
                    .substring(6).strip(), 8);
            assertEquals(0, childFlags & FileCalls.O_NONBLOCK, "the child's end is blocking");
            // The parent keeps writing to the end it also handed over: a full pipe must time out, not hang.
            byte[] chunk = new byte[64 * 1024];
            var e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IpcTimeoutException.class,
                    () -> {
                        while (true) {
                            pipe.writer().write(chunk, 0, chunk.length, Duration.ofMillis(100));
                        }
                    }), "a blocking write inside a timed write: the parent's end was made blocking");
            assertTrue(e.getMessage().endsWith("timed out after 100 ms"), e.getMessage());
        }
    }

    @Test
    void exitCodesAndSignalsAreReported() throws Exception {
        try (ChildProcess three = Spawn.command("sh", "-c", "exit 3").start();
             ChildProcess killed = Spawn.command("sh", "-c", "kill -9 $$").start()) {
            ExitStatus exit = three.waitFor(LIMIT);
            assertEquals(3, exit.code());
            assertEquals("exit 3", exit.toString());
            ExitStatus signalled = killed.waitFor(LIMIT);
            assertEquals(9, signalled.signal());
            assertEquals(137, signalled.shellCode());
            assertEquals("killed by SIGKILL", signalled.toString());
            assertFalse(killed.kill());
        }
    }

    @Test
    void waitTimesOutAndCloseKillsTheChild() throws Exception {
        ChildProcess sleeper = Spawn.command("sleep", "60").start();
        IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> sleeper.waitFor(Duration.ofMillis(100)));
        assertEquals("waiting for pid " + sleeper.pid() + " (sleep): timed out after 100 ms", e.getMessage());
        assertTrue(sleeper.isAlive());
        sleeper.close();
        assertEquals("killed by SIGKILL", sleeper.exitStatus().orElseThrow().toString());
        assertFalse(ProcessHandle.of(sleeper.pid()).isPresent(), "the child was not reaped");
    }

    @Test
    void aMissingProgramIsNoSuchFile() {
        var e = assertThrows(NoSuchFileException.class, () -> Spawn.command("no-such-program-ipc4j").start());
        assertEquals("posix_spawnp(no-such-program-ipc4j) failed: ENOENT (No such file or directory): "
                + "no such program (or working directory); check the name and PATH", e.getMessage());
    }

    @Test
    void environmentAndDirectoryAreTheChildsOwn() throws Exception {
        try (Pipe out = Pipe.open();
             ChildProcess child = Spawn.command("sh", "-c", "echo \"$IPC4J_TEST $(pwd)\"")
                     .environment("IPC4J_TEST", "set").directory(java.nio.file.Path.of("/tmp"))
                     .stdout(out.writer()).start()) {
            out.writer().close();
            assertEquals("set /tmp\n", new String(out.reader().inputStream(LIMIT).readAllBytes(),
                    StandardCharsets.UTF_8));
            assertTrue(child.waitFor(LIMIT).succeeded());
        }
    }
}
