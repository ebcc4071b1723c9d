package io.ipc4j.mq;

import io.ipc4j.testing.BlockedCall;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A POSIX queue's untimed calls on a platform thread sleep in the kernel's own queue wait (wq_sleep), as C's
 * mq_receive and mq_send do, not in poll; a close or an interrupt from another thread still ends them, a
 * receive sleeps on through the ends of its 200 ms slices, and the calls that must not wait still do not.
 */
@SuppressWarnings("try") // the close from another thread is what the tests are about
class MqDirectBlockingTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = BlockedCall.LIMIT;
    private final String name = "/ipc4j-direct-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        PosixMessageQueue.unlink(name);
    }

    private PosixMessageQueue queue() throws IOException {
        int slots = (int) Math.min(2, MqLimits.current().posixMaxMessages());
        return PosixMessageQueue.create(name).maxMessages(slots).messageSize(16).open();
    }

    @Test
    void anUntimedReceiveSleepsInTheQueueAndACloseEndsIt() throws Exception {
        try (PosixMessageQueue q = queue()) {
            BlockedCall receiver = BlockedCall.start("wq_sleep", () -> q.receive(ByteBuffer.allocate(16)));
            q.close();
            assertInstanceOf(AsynchronousCloseException.class, receiver.failure());
        }
    }

    @Test
    void anInterruptEndsAnUntimedReceiveAndLosesNothing() throws Exception {
        try (PosixMessageQueue q = queue()) {
            BlockedCall receiver = BlockedCall.start("wq_sleep", () -> q.receive(ByteBuffer.allocateDirect(16)));
            receiver.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, receiver.failure());
            q.send(text("after"), 2);
            ByteBuffer into = ByteBuffer.allocate(16);
            assertEquals(2, q.receive(into, LIMIT));
            assertEquals("after", new String(into.array(), 0, into.position(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUntimedReceiveSleepsOnPastTheEndOfASlice() throws Exception {
        try (PosixMessageQueue q = queue()) {
            BlockedCall receiver = BlockedCall.start("wq_sleep", () -> {
                ByteBuffer into = ByteBuffer.allocate(16);
                q.receive(into);
                return new String(into.array(), 0, into.position(), StandardCharsets.UTF_8);
            });
            long tid = KernelWait.threadNamed(ProcessHandle.current().pid(), "blocked-call");
            long first = voluntarySwitches(tid);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (voluntarySwitches(tid) < first + 2 || !KernelWait.sleepsIn(ProcessHandle.current().pid(), tid,
                    "wq_sleep")) { // woke at a slice's end, and sleeps in the queue again
                assertTrue(System.nanoTime() - deadline < 0, "the receiver never began a second slice");
                LockSupport.parkNanos(10_000_000);
            }
            q.send(text("later"), 1);
            assertEquals("later", receiver.result());
        }
    }

    @Test
    void anUntimedSendToAFullQueueSleepsInTheQueueAndACloseEndsIt() throws Exception {
        try (PosixMessageQueue q = queue()) {
            while (q.trySend(text("x"), 0)) {
                // fill it: a send that must not wait says so even on the blocking descriptor
            }
            BlockedCall sender = BlockedCall.start("wq_sleep", () -> {
                q.send(text("one more"), 0);
                return null;
            });
            q.close();
            assertInstanceOf(AsynchronousCloseException.class, sender.failure());
        }
    }

    @Test
    void callsThatMustNotWaitDoNotWait() throws Exception {
        try (PosixMessageQueue q = queue()) {
            assertEquals(-1, q.tryReceive(ByteBuffer.allocate(16)));
            long slots = q.maxMessages();
            for (int i = 0; i < slots; i++) {
                assertTrue(q.trySend(text("m" + i), i));
            }
            assertFalse(q.trySend(text("full"), 0));
            ByteBuffer into = ByteBuffer.allocate(16);
            assertEquals((int) slots - 1, q.tryReceive(into), "the highest priority first");
        }
    }

    private static long voluntarySwitches(long tid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no voluntary_ctxt_switches in /proc/self/task/" + tid + "/status");
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
