package io.ipc4j.event;

import io.ipc4j.testing.BlockedCall;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * An eventfd's untimed await on a platform thread sleeps in read(2) itself (its kernel wait is eventfd_read's,
 * not poll), in this process and in one that inherited it; a close or an interrupt still ends it; and a signal
 * too large for blocking mode leaves it for good, after which waits are in poll(2).
 */
@SuppressWarnings("try") // the close from another thread is what the tests are about
class EventFdDirectBlockingTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = BlockedCall.LIMIT;
    private static final String READ_WAIT = "do_wait_intr_irq"; // where eventfd_read sleeps (Linux 6.x)

    @Test
    void anUntimedAwaitSleepsInReadAndACloseEndsIt() throws Exception {
        try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER)) {
            BlockedCall waiter = BlockedCall.start(READ_WAIT, e::await);
            e.close();
            assertInstanceOf(AsynchronousCloseException.class, waiter.failure());
        }
    }

    @Test
    void anUntimedAwaitTakesWhatAnotherThreadSignals() throws Exception {
        try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER)) {
            BlockedCall waiter = BlockedCall.start(READ_WAIT, e::await);
            e.signal(5);
            assertEquals(5L, waiter.result());
        }
    }

    @Test
    void anInterruptEndsAnUntimedAwaitAndLosesNothing() throws Exception {
        try (EventFd e = EventFd.create(0, EventFd.Mode.SEMAPHORE)) {
            BlockedCall waiter = BlockedCall.start(READ_WAIT, e::await);
            waiter.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, waiter.failure());
            e.signal(2);
            assertEquals(1, e.await());
            assertEquals(1, e.tryTake());
            assertEquals(0, e.tryTake(), "a take that must not wait does not, on the blocking descriptor");
        }
    }

    @Test
    void aSignalTooLargeForBlockingModeLeavesItForGood() throws Exception {
        try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER)) {
            long large = EventFd.LARGEST_BLOCKING_SIGNAL + 1;
            e.signal(large);
            assertEquals(large, e.tryTake());
            BlockedCall waiter = BlockedCall.start("poll", e::await);
            e.signal(1);
            assertEquals(1L, waiter.result());
        }
    }

    @Test
    void aProcessThatInheritsItSleepsInReadToo() throws Exception {
        try (EventFd e = EventFd.create(0, EventFd.Mode.COUNTER);
             ChildJvm.Running child = ChildJvm.of(EventChildren.UntimedWaiter.class).inherit(e, 3).start()) {
            long tid = Long.parseLong(child.awaitLine(line -> line.startsWith("waiting "), LIMIT).substring(8));
            KernelWait.awaitSleepingIn(child.pid(), tid, READ_WAIT, LIMIT);
            e.signal(7);
            assertEquals("took 7", child.finish(LIMIT).stdout().lines().toList().getLast());
        }
    }
}
