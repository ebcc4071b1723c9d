package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A platform thread's call without a timeout on a pipe from {@link Pipe#open()} blocks in read(2) or write(2)
 * itself (its kernel wait is pipe_read or pipe_write, not poll), and a close or an interrupt from another thread
 * still ends it. Calls with a timeout wait in poll(2).
 */
class DirectBlockingTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final long PID = ProcessHandle.current().pid();

    /** What a blocked call in another thread ended with. */
    @FunctionalInterface
    private interface BlockingCall {
        Object call() throws IOException;
    }

    /** Starts {@code call} on a platform thread and returns once that thread sleeps in {@code wchan}. */
    private static Blocked blockIn(String wchan, BlockingCall call) throws Exception {
        CompletableFuture<Long> tid = new CompletableFuture<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("blocked-caller").start(() -> {
            try {
                tid.complete(KernelWait.currentTid());
                outcome.complete(call.call());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        KernelWait.awaitSleepingIn(PID, tid.get(10, TimeUnit.SECONDS), wchan, LIMIT);
        return new Blocked(thread, outcome);
    }

    private record Blocked(Thread thread, CompletableFuture<Object> outcome) {
        Throwable failure() throws Exception {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> outcome.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
            thread.join(LIMIT);
            return e.getCause();
        }
    }

    @Test
    void anUntimedReadSleepsInReadAndACloseEndsIt() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Blocked reader = blockIn("pipe_read", () -> pipe.reader().read(ByteBuffer.allocate(16)));
            pipe.reader().close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }

    @Test
    void anUntimedReadReturnsWhatAnotherThreadWrites() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            ByteBuffer into = ByteBuffer.allocate(16);
            Blocked reader = blockIn("pipe_read", () -> {
                pipe.reader().readFully(into);
                return into.flip();
            });
            pipe.writer().write(ByteBuffer.wrap("sixteen bytes!!!".getBytes()));
            assertEquals("sixteen bytes!!!", new String(((ByteBuffer) reader.outcome().get(10, TimeUnit.SECONDS))
                    .array()));
        }
    }

    @Test
    void anInterruptEndsAnUntimedReadAndLosesNothing() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Blocked reader = blockIn("pipe_read", () -> pipe.reader().read(ByteBuffer.allocate(16)));
            reader.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, reader.failure());
            pipe.writer().write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, pipe.reader().read(one, LIMIT));
            assertEquals(42, one.get(0));
        }
    }

    @Test
    void anUntimedWriteToAFullPipeSleepsInWriteAndACloseEndsIt() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            while (pipe.writer().writeNow(ByteBuffer.allocate(4096)) > 0) {
                // fill it
            }
            Blocked writer = blockIn("pipe_write", () -> pipe.writer().write(ByteBuffer.allocate(100_000)));
            pipe.writer().close();
            assertInstanceOf(AsynchronousCloseException.class, writer.failure());
        }
    }

    @Test
    void aTimedReadWaitsInPollAndTimesOut() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            Blocked reader = blockIn("poll", () -> pipe.reader().read(ByteBuffer.allocate(1), Duration.ofSeconds(2)));
            assertInstanceOf(IpcTimeoutException.class, reader.failure());
        }
    }
}
