package io.ipc4j.event;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** eventfd: counting, semaphore mode, waits, and processes waking each other through inherited eventfds. */
class EventFdTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void counterModeTakesTheWholeCountAndSemaphoreModeOneAtATime() throws Exception {
        try (EventFd counter = EventFd.create(2, EventFd.Mode.COUNTER);
             EventFd semaphore = EventFd.create(0, EventFd.Mode.SEMAPHORE)) {
            counter.signal(3);
            counter.signal(4);
            assertEquals(9, counter.await(LIMIT), "signals coalesce");
            assertEquals(0, counter.tryTake());
            semaphore.signal(3);
            assertEquals(List.of(1L, 1L, 1L, 0L), List.of(semaphore.tryTake(), semaphore.tryTake(),
                    semaphore.tryTake(), semaphore.tryTake()));
            assertEquals(EventFd.Mode.SEMAPHORE, semaphore.mode());
        }
    }

    @Test
    void twoProcessesPingPongTenThousandTimesThroughInheritedEventfds() throws Exception {
        int rounds = 10_000;
        try (EventFd down = EventFd.create(0, EventFd.Mode.COUNTER);
             EventFd up = EventFd.create(0, EventFd.Mode.COUNTER);
             ChildJvm.Running child = ChildJvm.of(EventChildren.Ponger.class, String.valueOf(rounds))
                     .inherit(down, 3).inherit(up, 4).fullJit().start()) {
            long sum = 0;
            for (int i = 0; i < rounds; i++) {
                down.signal(1);
                sum += up.await(LIMIT);
            }
            assertEquals(rounds, sum, "each ping answered by exactly one pong");
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals("pongs " + rounds + ", takes summed " + rounds, result.stdout().strip(), result.describe());
            assertEquals(0, up.tryTake(), "no pong more than pings");
        }
    }

    @Test
    void aSemaphoreSignalledInOneProcessReleasesExactlyThatManyTakesInAnother() throws Exception {
        try (EventFd semaphore = EventFd.create(0, EventFd.Mode.SEMAPHORE)) {
            semaphore.signal(5);
            ChildJvm.Result result = ChildJvm.of(EventChildren.SemaphoreTaker.class).inherit(semaphore, 3).run(LIMIT);
            assertEquals("SEMAPHORE 1 1 1 1 1", result.stdout().strip(), result.describe());
            assertEquals(0, semaphore.tryTake(), "the child took them all: one counter for both processes");
        }
    }

    @Test
    void anEmptyWaitTimesOutAndCloseWakesAWaiter() throws Exception {
        EventFd e = EventFd.create(0, EventFd.Mode.COUNTER);
        IpcTimeoutException timeout = assertThrows(IpcTimeoutException.class, () -> e.await(Duration.ofMillis(50)));
        assertEquals("read(" + e + "): timed out after 50 ms", timeout.getMessage());
        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        Thread.ofPlatform().name("eventfd-waiter").start(() -> {
            running.countDown(); // the JVM has given the kernel thread its name by now
            try {
                e.await(Duration.ofSeconds(60));
                waiter.complete(null);
            } catch (Throwable t) {
                waiter.complete(t);
            }
        });
        assertTrue(running.await(LIMIT.toSeconds(), TimeUnit.SECONDS));
        long pid = ProcessHandle.current().pid();
        KernelWait.awaitSleepingIn(pid, KernelWait.threadNamed(pid, "eventfd-waiter"), "poll", LIMIT);
        e.close();
        assertTrue(waiter.get(10, TimeUnit.SECONDS) instanceof AsynchronousCloseException);
        assertFalse(e.isOpen());
    }

    @Test
    void badInputIsRefusedWithTheReason() throws Exception {
        assertEquals("an eventfd starts at 0 to 4294967295, not -1", assertThrows(IllegalArgumentException.class,
                () -> EventFd.create(-1, EventFd.Mode.COUNTER)).getMessage());
        try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER); Pipe pipe = Pipe.open()) {
            assertThrows(IllegalArgumentException.class, () -> e.signal(0));
            IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class,
                    () -> EventFd.fromInherited(pipe.reader().fd()));
            assertTrue(notOne.getMessage().matches("descriptor \\d+ is pipe:\\[\\d+], not eventfd"),
                    notOne.getMessage());
        }
    }
}
