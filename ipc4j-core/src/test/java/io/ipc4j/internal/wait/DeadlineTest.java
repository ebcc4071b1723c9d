package io.ipc4j.internal.wait;


import io.ipc4j.IpcTimeoutException;
import io.ipc4j.pipe.Pipe;
import org.junit.jupiter.api.Test;

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
}
