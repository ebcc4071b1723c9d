package io.ipc4j.signal;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ThreadSignalReceiver: the thread that opened it takes its signals itself, from any sender. */
class ThreadSignalReceiverTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;
    private static final Signal SIGNAL = Signal.realtime(2);

    @Test
    void signalsFromAnotherProcessArriveOnTheReceivingThreadAllInOrderWithTheirValues() throws Exception {
        int count = 1_000;
        try (ChildJvm.Running child = ChildJvm.of(SignalChildren.ReceiveQueuedOnThisThread.class,
                String.valueOf(count)).start()) {
            String ready = child.awaitLine(l -> l.startsWith("ready"), LIMIT);
            assertEquals(ready, "ready " + SignalReceiver.threadOf(child.pid(), Signal.realtime(1)).orElse(-1));
            SignalTest.queueInOrder(Signals.target(child.pid(), Signal.realtime(1))::queue, count);
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            long sum = (long) count * (count - 1) / 2;
            assertEquals("count=" + count + " sum=" + sum + " ordered=true from=" + ProcessHandle.current().pid()
                    + " then=null", result.stdoutLines().get(1));
        }
    }

    @Test
    void aSenderFindsTheReceivingThreadWhileItWaitsAndTheThreadGetsItsNameBack() throws Exception {
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<QueuedSignal> got = new CompletableFuture<>();
        CompletableFuture<String> nameAfter = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("receiving-test-thread").start(() -> {
            try (ThreadSignalReceiver receiver = ThreadSignalReceiver.open(SIGNAL)) {
                tid.complete(receiver.threadId());
                got.complete(receiver.receive(LIMIT));
            } catch (Throwable t) {
                got.completeExceptionally(t);
            }
            nameAfter.complete(Thread.currentThread().getName() + "/" + comm());
        });
        int receiving = tid.get(10, TimeUnit.SECONDS);
        long pid = ProcessHandle.current().pid();
        io.ipc4j.testing.KernelWait.awaitSleepingIn(pid, receiving, "poll", LIMIT);
        assertEquals(receiving, SignalReceiver.threadOf(pid, SIGNAL).orElse(-1)); // found while it waits
        assertTrue(Signals.queue(pid, SIGNAL, 4242));
        QueuedSignal signal = got.get(10, TimeUnit.SECONDS);
        assertEquals(4242, signal.value());
        assertEquals(pid, signal.senderPid());
        assertEquals("receiving-test-thread/receiving-test-", nameAfter.get(10, TimeUnit.SECONDS));
        thread.join();
    }

    /** Untimed, the receiving thread sleeps in the signalfd's own read, as C's sigwaitinfo, not in poll. */
    @Test
    void anUntimedReceiveSleepsInReadAndTheSignalWakesIt() throws Exception {
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<QueuedSignal> got = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try (ThreadSignalReceiver receiver = ThreadSignalReceiver.open(SIGNAL)) {
                tid.complete(receiver.threadId());
                got.complete(receiver.receive());
            } catch (Throwable t) {
                got.completeExceptionally(t);
            }
        });
        long pid = ProcessHandle.current().pid();
        io.ipc4j.testing.KernelWait.awaitSleepingIn(pid, tid.get(10, TimeUnit.SECONDS), "signalfd_read", LIMIT);
        assertTrue(Signals.queue(pid, SIGNAL, 77));
        assertEquals(77, got.get(10, TimeUnit.SECONDS).value());
        thread.join();
    }

    @Test
    void aTimedReceiveTimesOutAndPollReturnsNull() throws Exception {
        CompletableFuture<Throwable> outcome = onOwnThread(receiver -> {
            assertNull(receiver.poll());
            receiver.receive(Duration.ofMillis(300));
        });
        IpcTimeoutException e = assertInstanceOf(IpcTimeoutException.class, outcome.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().startsWith("receive(thread signal receiver [SIGRTMIN+2] on thread "), e.getMessage());
    }

    @Test
    void aCloseFromAnotherThreadEndsAWait() throws Exception {
        CompletableFuture<ThreadSignalReceiver> opened = new CompletableFuture<>();
        CompletableFuture<Throwable> outcome = onOwnThread(receiver -> {
            opened.complete(receiver);
            receiver.receive();
        });
        ThreadSignalReceiver receiver = opened.get(10, TimeUnit.SECONDS);
        io.ipc4j.testing.KernelWait.awaitSleepingIn(ProcessHandle.current().pid(), receiver.threadId(), "signalfd_read",
                LIMIT); // inside its read(2), which only the close's signal can end
        receiver.close();
        assertInstanceOf(ClosedChannelException.class, outcome.get(10, TimeUnit.SECONDS));
    }

    @Test
    void onlyTheOpeningPlatformThreadMayReceive() throws Exception {
        CompletableFuture<ThreadSignalReceiver> opened = new CompletableFuture<>();
        CompletableFuture<Throwable> outcome = onOwnThread(receiver -> {
            opened.complete(receiver);
            receiver.receive(LIMIT);
        });
        ThreadSignalReceiver receiver = opened.get(10, TimeUnit.SECONDS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> receiver.poll());
        assertTrue(e.getMessage().contains("receives on the thread that opened it"), e.getMessage());
        receiver.close();
        assertInstanceOf(ClosedChannelException.class, outcome.get(10, TimeUnit.SECONDS));
        ExecutionException onVirtual = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(() -> {
            try {
                ThreadSignalReceiver.open(SIGNAL);
            } catch (java.io.IOException e2) {
                throw new java.io.UncheckedIOException(e2);
            }
        }, r -> Thread.ofVirtual().start(r)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, onVirtual.getCause());
    }

    /** What a receiver's use on a thread of its own ended with (null: nothing thrown). */
    private static CompletableFuture<Throwable> onOwnThread(ReceiverUse use) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try (ThreadSignalReceiver receiver = ThreadSignalReceiver.open(SIGNAL)) {
                use.accept(receiver);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        return outcome;
    }

    @FunctionalInterface
    private interface ReceiverUse {
        void accept(ThreadSignalReceiver receiver) throws Exception;
    }

    private static String comm() {
        try {
            return Files.readString(Path.of("/proc/thread-self/comm")).strip();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
