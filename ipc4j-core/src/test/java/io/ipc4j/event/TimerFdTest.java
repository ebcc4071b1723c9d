package io.ipc4j.event;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** timerfd: arming, counting expirations, disarming, and a timer one process arms and another waits on. */
class TimerFdTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void expirationsAccumulateUntilTakenAndADisarmedTimerHasNone() throws Exception {
        try (TimerFd timer = TimerFd.create(TimerFd.Clock.MONOTONIC)) {
            assertEquals(Optional.empty(), timer.untilNext());
            assertEquals(0, timer.tryTake());
            timer.arm(Duration.ofMillis(1), Duration.ofMillis(1));
            assertEquals(Duration.ofMillis(1), timer.interval());
            long first = timer.await(LIMIT);
            assertTrue(first >= 1, "at least one expiration: " + first);
            timer.disarm();
            long rest = timer.tryTake(); // what expired before the disarm
            assertTrue(rest >= 0);
            assertEquals(0, timer.tryTake(), "a disarmed timer does not expire");
            assertEquals(Optional.empty(), timer.untilNext());
            timer.arm(Duration.ofHours(1), Duration.ZERO);
            assertTrue(timer.untilNext().orElseThrow().compareTo(Duration.ofMinutes(59)) > 0);
            assertEquals(Duration.ZERO, timer.interval());
        }
    }

    @Test
    void aTimerArmedInOneProcessWakesAnotherThatInheritedIt() throws Exception {
        try (TimerFd timer = TimerFd.create(TimerFd.Clock.MONOTONIC);
             ChildJvm.Running child = ChildJvm.of(EventChildren.TimerWaiter.class).inherit(timer, 3).start()) {
            child.awaitLine("waiting"::equals, LIMIT);
            timer.arm(Duration.ofMillis(20), Duration.ZERO);
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals("waiting\nexpired 1", result.stdout().strip(), result.describe());
            assertEquals(0, timer.tryTake(), "the child took the one expiration: one timer for both");
        }
    }

    @Test
    void badInputIsRefusedWithTheReason() throws Exception {
        try (TimerFd timer = TimerFd.create(TimerFd.Clock.MONOTONIC)) {
            assertThrows(IllegalArgumentException.class, () -> timer.arm(Duration.ZERO, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> timer.arm(Duration.ofSeconds(1), Duration.ofSeconds(-1)));
            try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER)) {
                IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class,
                        () -> TimerFd.fromInherited(e.fd()));
                assertTrue(notOne.getMessage().endsWith("is anon_inode:[eventfd], not timerfd"), notOne.getMessage());
            }
        }
    }
}
