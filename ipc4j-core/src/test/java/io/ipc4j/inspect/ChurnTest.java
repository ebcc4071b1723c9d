package io.ipc4j.inspect;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #22 (part), bad input: processes that start and exit while the machine is scanned, descriptors closed between
 * reading their link and their fdinfo. Every scan completes; nothing is thrown.
 */
class ChurnTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void scansCompleteWhileProcessesComeAndGo() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger started = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread churn = Thread.ofPlatform().start(() -> {
            try {
                while (!done.get()) {
                    try (ChildProcess p = Spawn.command("/bin/sh", "-c", "exec 3</dev/null 4>/dev/null; true").start()) {
                        p.waitFor(Duration.ofSeconds(10));
                        started.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            for (int i = 0; i < 5; i++) {
                IpcGraph.Graph graph = IpcGraph.build();
                assertTrue(graph.nodes().stream().allMatch(n -> n.pid() > 0));
                IpcObjects.Survey survey = IpcObjects.survey();
                assertTrue(survey.objects() != null);
            }
        } finally {
            done.set(true);
            churn.join(30_000);
        }
        assertNull(failure.get());
        assertTrue(started.get() > 0, "processes came and went during the scans");
    }

    @Test
    void aProcessThatIsGoneIsNoSuchFileNamingIt() throws Exception {
        ChildProcess p = Spawn.command("/bin/true").start();
        int pid = p.pid();
        assertEquals(0, p.waitFor(Duration.ofSeconds(10)).code());
        p.close();
        NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> ProcessInspector.inspect(pid));
        assertEquals("/proc/" + pid + ": no process " + pid, gone.getMessage());
    }
}
