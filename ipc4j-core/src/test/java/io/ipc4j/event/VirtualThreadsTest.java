package io.ipc4j.event;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking ipc4j calls on virtual threads park the virtual thread, not its carrier (#17): 10,000 virtual
 * threads on two carriers, each blocked receiving from its own FIFO, Unix socket or POSIX queue, all parked at
 * once, all released by another process's writes.
 */
class VirtualThreadsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(300);
    private static final int FIFOS = 3_000;
    private static final int SOCKETS = 6_800;
    private static final int QUEUES = 200;

    private final String prefix = "/ipc4j-vt-" + ProcessHandle.current().pid() + "-";

    @Test
    void tenThousandVirtualThreadsOnTwoCarriersAreAllParkedThenAllReleasedByAnotherProcess() throws Exception {
        Path dir = LEAKS.scratch();
        String[] args = {dir.toString(), "" + FIFOS, "" + SOCKETS, "" + QUEUES, prefix};
        try (EventFd go = EventFd.create(0, EventFd.Mode.COUNTER);
             ChildJvm.Running waiters = ChildJvm.of(VirtualThreadChildren.Waiters.class, args)
                     .jvmOption("-Djdk.virtualThreadScheduler.parallelism=2")
                     .jvmOption("-Djdk.virtualThreadScheduler.maxPoolSize=2").start()) {
            waiters.awaitLine("ready"::equals, LIMIT);
            try (ChildJvm.Running writer = ChildJvm.of(VirtualThreadChildren.Writer.class, args)
                    .inherit(go, 3).start()) {
                writer.awaitLine("connected"::equals, LIMIT);
                String parked = waiters.awaitLine(line -> line.startsWith("parked"), LIMIT);
                assertEquals("parked 10000", parked, "a thread blocked its carrier instead of parking");
                go.signal(1);
                assertTrue(writer.finish(LIMIT).stdoutLines().contains("wrote 10000"));
            }
            ChildJvm.Result result = waiters.finish(LIMIT);
            long sum = 0;
            for (int i = 0; i < FIFOS + SOCKETS + QUEUES; i++) {
                sum += VirtualThreadChildren.byteFor(i);
            }
            assertEquals(0, result.status().code(), result.stderr());
            assertTrue(result.stdoutLines().contains("released 10000 sum " + sum), result.stdout() + result.stderr());
            assertTrue(result.stdoutLines().contains("pinned 0"), result.stdout() + result.stderr());
            System.out.println(result.stderr().strip()); // how long the release took, for the record
        }
    }
}
