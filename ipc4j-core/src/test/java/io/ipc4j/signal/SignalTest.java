package io.ipc4j.signal;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signals between this JVM and child JVMs. */
class SignalTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void aChildJvmHandlesUsr1OnAnOrdinaryThread() throws Exception {
        try (ChildJvm.Running child = ChildJvm.of(SignalChildren.HandleUsr1.class).start()) {
            child.awaitLine("ready"::equals, LIMIT);
            assertTrue(Signals.isAlive(child.pid()));

            assertTrue(Signals.send(child.pid(), Signal.USR1));

            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            assertEquals(List.of("ready", "handled SIGUSR1 on ipc4j-signals"), result.stdoutLines());
            assertFalse(Signals.isAlive(child.pid()), "reaped, so gone");
            assertFalse(Signals.send(child.pid(), Signal.USR1), "no such process is an answer, not an error");
        }
    }

    @Test
    void queuedRealtimeSignalsArriveAllInOrderWithTheirValues() throws Exception {
        int count = 2_000;
        try (ChildJvm.Running child = ChildJvm.of(SignalChildren.ReceiveQueued.class, String.valueOf(count)).start()) {
            child.awaitLine(l -> l.startsWith("ready"), LIMIT);
            queueInOrder(value -> Signals.queue(child.pid(), Signal.realtime(1), value), count);
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            long sum = (long) count * (count - 1) / 2;
            assertEquals("count=" + count + " sum=" + sum + " ordered=true from=" + ProcessHandle.current().pid()
                    + " dropped=0", result.stdoutLines().get(1));
        }
    }

    /** One send of a value: true if the process is there. */
    @FunctionalInterface
    interface Send {
        boolean queue(int value) throws java.io.IOException;
    }

    /** Sends the values 0 to {@code count - 1} in order, waiting out EAGAIN (the receiver's queue is full). */
    static void queueInOrder(Send send, int count) throws java.io.IOException {
        for (int i = 0; i < count; i++) {
            while (true) {
                try {
                    assertTrue(send.queue(i));
                    break;
                } catch (io.ipc4j.ErrnoException e) { // EAGAIN: the receiver's RLIMIT_SIGPENDING is full
                    assertEquals("EAGAIN", e.errnoName(), e.getMessage());
                    Thread.onSpinWait();
                }
            }
        }
    }

    @Test
    void termRunsTheCleanUpOnceRemovingTheSocketFileThenExitsWith143() throws Exception {
        Path socket = LEAKS.scratch().resolve("graceful.sock");
        try (ChildJvm.Running child = ChildJvm.of(SignalChildren.ShutdownOnTerm.class, socket.toString()).start()) {
            child.awaitLine("ready"::equals, LIMIT);
            assertTrue(Files.exists(socket));

            Signals.send(child.pid(), Signal.TERM);
            Signals.send(child.pid(), Signal.TERM); // a second TERM must not run the clean-up again

            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(143, result.status().code(), result.describe());
            assertEquals(List.of("ready", "cleanup 1"), result.stdoutLines());
            assertFalse(Files.exists(socket), "the socket file is removed before exit");
        }
    }

    @Test
    void signalsTheJvmKeepsAreRefusedSayingWhy() {
        assertEquals("cannot handle SIGQUIT: the JVM reserves SIGQUIT for thread dumps",
                assertThrows(IllegalArgumentException.class, () -> SignalHandlers.register(Signal.QUIT, s -> { }))
                        .getMessage());
        assertEquals("cannot handle SIGKILL: no process can catch SIGKILL",
                assertThrows(IllegalArgumentException.class, () -> SignalHandlers.register(Signal.KILL, s -> { }))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SignalHandlers.register(Signal.USR2, s -> { })).getMessage().contains("suspend and resume"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SignalHandlers.register(Signal.of("SEGV"), s -> { })).getMessage().contains("own checks"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SignalHandlers.register(Signal.realtime(2), s -> { })).getMessage().contains("SignalReceiver"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SignalReceiver.open(Signal.of("SEGV"))).getMessage().contains("real-time"));
    }

    @Test
    void namesAndNumbersParse() {
        assertEquals(Signal.TERM, Signal.of("term"));
        assertEquals(Signal.TERM, Signal.of("SIGTERM"));
        assertEquals(Signal.TERM, Signal.of("15"));
        assertEquals(36, Signal.of("SIGRTMIN+2").number());
        assertEquals("SIGRTMIN+2", Signal.realtime(2).toString());
        assertEquals(64, Signal.of("RTMAX").number());
        assertEquals("unknown signal 'TERMINATE': use a name such as TERM or SIGUSR1, a number, or RTMIN+N",
                assertThrows(IllegalArgumentException.class, () -> Signal.of("TERMINATE")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signal.of(32));
        assertThrows(IllegalArgumentException.class, () -> Signal.realtime(31));
    }
}
