package io.ipc4j.event;

import io.ipc4j.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A select that starts while another thread closes the loop sees the loop closed: it returns, or throws
 * ClosedSelectorException, never IllegalStateException ("already selecting on another thread"), which it threw
 * when it met close() holding the select lock for the moment it takes to release the descriptors. A CI run on
 * 2026-12-03 lost EventLoopTest's busy-polling selector thread that way.
 */
class EventLoopCloseRaceTest {
    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;
    private static final int ROUNDS = 3_000;

    @Test
    void aSelectRacingCloseSeesTheLoopClosed() throws Exception {
        int closedSeen = 0;
        for (int round = 0; round < ROUNDS; round++) {
            EventLoop loop = EventLoop.open();
            CountDownLatch selecting = new CountDownLatch(1);
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread selector = Thread.ofPlatform().name("selector-" + round).start(() -> {
                try {
                    while (true) {
                        loop.selectNow();
                        selecting.countDown();
                    }
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            selecting.await();
            loop.close();
            selector.join(LIMIT.toMillis());
            assertFalse(selector.isAlive(), "round " + round + ": the selector did not end");
            Throwable t = ended.get();
            assertEquals(ClosedSelectorException.class, t == null ? null : t.getClass(),
                    "round " + round + ": " + t);
            closedSeen++;
        }
        assertEquals(ROUNDS, closedSeen);
    }
}
