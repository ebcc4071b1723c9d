package io.ipc4j.process;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Affinity: a pinned thread is not a one-CPU process; a process restricted to one CPU is. */
class AffinityTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** args: "pin" to pin the main thread to CPU 0 first. Prints what the thread and the process may use. */
    static final class Report {
        public static void main(String[] args) throws Exception {
            if (args.length > 0 && args[0].equals("pin")) {
                Affinity.pinCurrentThread(0);
            }
            System.out.println("thread " + Runtime.getRuntime().availableProcessors() + " process "
                    + Affinity.processCpuCount());
        }
    }

    @Test
    void aPinnedThreadDoesNotMakeAOneCpuProcessButTasksetDoes() throws Exception {
        int machine = Affinity.processCpuCount();
        assertEquals(List.of("thread 1 process " + machine),
                ChildJvm.of(Report.class, "pin").run(LIMIT).stdoutLines());
        assertEquals(List.of("thread 1 process 1"), ChildJvm.of(Report.class).onCpus("0").run(LIMIT).stdoutLines());
    }
}
