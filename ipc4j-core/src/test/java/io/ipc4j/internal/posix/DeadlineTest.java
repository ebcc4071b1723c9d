package io.ipc4j.internal.posix;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deadline value every timed call carries down to its waits. */
class DeadlineTest {
    @Test
    void nowHasAlwaysPassedAndForeverNever() {
        assertTrue(Deadline.NOW.isNow());
        assertTrue(Deadline.NOW.hasPassed());
        assertEquals(0, Deadline.NOW.nanosLeft());
        assertEquals(Duration.ZERO, Deadline.NOW.timeout());
        assertTrue(Deadline.FOREVER.isForever());
        assertFalse(Deadline.FOREVER.hasPassed());
        assertEquals(Long.MAX_VALUE, Deadline.FOREVER.nanosLeft());
    }

    @Test
    void aTimedDeadlineKeepsItsTimeoutAndCountsDown() {
        Duration hour = Duration.ofHours(1);
        Deadline deadline = Deadline.after(hour);
        assertSame(hour, deadline.timeout());
        long left = deadline.nanosLeft();
        assertTrue(left > 0 && left <= hour.toNanos(), "left " + left);
        assertFalse(deadline.hasPassed());
        assertTrue(deadline.remaining().compareTo(hour) <= 0);
        assertTrue(Deadline.after(Duration.ZERO).hasPassed());
    }

    @Test
    void timeoutsTooLongToCountAreForeverAndForeverRoundTrips() {
        assertSame(Deadline.FOREVER, Deadline.after(ChronoUnit.FOREVER.getDuration()));
        assertSame(Deadline.FOREVER, Deadline.after(Duration.ofDays(365L * 1000)));
        assertSame(Deadline.FOREVER, Deadline.after(Deadline.FOREVER.remaining()));
        assertSame(Deadline.FOREVER, Deadline.afterOrForever(null));
    }

    @Test
    void aNegativeTimeoutIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Deadline.after(Duration.ofMillis(-5)));
        assertEquals("negative timeout: PT-0.005S", e.getMessage());
        assertThrows(NullPointerException.class, () -> Deadline.after(null));
    }

    @Test
    void theTimeoutExceptionReportsTheCallersTimeout() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> pipe.reader().read(ByteBuffer.allocate(1), Duration.ofMillis(30)));
            assertEquals(Duration.ofMillis(30), e.timeout());
        }
    }

    /**
     * A timed call that does not wait allocates nothing once compiled: the deadline it makes reaches only the
     * waiting path, so the JIT scalar-replaces it. Measured in a fresh JVM (this one's profile depends on the
     * tests that ran before), over rounds repeated, a bounded number, until the JIT has compiled the loop.
     */
    @Test
    void aTimedCallThatDoesNotWaitAllocatesNothingOnceCompiled() throws Exception {
        ChildJvm.Result result = ChildJvm.of(TimedCallAllocations.class).fullJit().run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        double best = Double.parseDouble(result.stdout().strip());
        assertTrue(best < 1, "bytes allocated per timed write and read, best round: " + best);
    }

    /** The child of the allocation test: prints the fewest bytes allocated per timed write and read. */
    public static final class TimedCallAllocations {
        public static void main(String[] args) throws Exception {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            Duration timeout = Duration.ofSeconds(5);
            double best = Double.MAX_VALUE;
            try (Pipe pipe = Pipe.open()) {
                ByteBuffer out = ByteBuffer.allocateDirect(16);
                ByteBuffer in = ByteBuffer.allocateDirect(16);
                for (int round = 0; round < 40 && best >= 1; round++) {
                    int calls = 100_000;
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < calls; i++) {
                        pipe.writer().write(out.clear(), timeout);
                        pipe.reader().read(in.clear(), timeout);
                    }
                    best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / (double) calls);
                }
            }
            System.out.println(best);
        }
    }
}
