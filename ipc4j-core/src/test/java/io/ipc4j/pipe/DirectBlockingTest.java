package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.BlockedCall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A platform thread's call without a timeout on a pipe from {@link Pipe#open()} or a FIFO's end blocks in read(2)
 * or write(2) itself (its kernel wait is pipe_read or pipe_write, not poll), and a close or an interrupt from
 * another thread still ends it. Calls with a timeout wait in poll(2).
 */
class DirectBlockingTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = BlockedCall.LIMIT;

    @Test
    void anUntimedReadSleepsInReadAndACloseEndsIt() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            BlockedCall reader = BlockedCall.start("pipe_read", () -> pipe.reader().read(ByteBuffer.allocate(16)));
            pipe.reader().close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }

    @Test
    void anUntimedReadReturnsWhatAnotherThreadWrites() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            ByteBuffer into = ByteBuffer.allocate(16);
            BlockedCall reader = BlockedCall.start("pipe_read", () -> {
                pipe.reader().readFully(into);
                return into.flip();
            });
            pipe.writer().write(ByteBuffer.wrap("sixteen bytes!!!".getBytes()));
            assertEquals("sixteen bytes!!!", new String(((ByteBuffer) reader.result())
                    .array()));
        }
    }

    @Test
    void anInterruptEndsAnUntimedReadAndLosesNothing() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            BlockedCall reader = BlockedCall.start("pipe_read", () -> pipe.reader().read(ByteBuffer.allocate(16)));
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
            BlockedCall writer = BlockedCall.start("pipe_write", () -> pipe.writer().write(ByteBuffer.allocate(100_000)));
            pipe.writer().close();
            assertInstanceOf(AsynchronousCloseException.class, writer.failure());
        }
    }

    @Test
    void anUntimedReadOnAFifoSleepsInReadAndACloseEndsIt() throws Exception {
        try (FifoEnds fifo = FifoEnds.open(LEAKS.scratch().resolve("f"))) {
            BlockedCall reader = BlockedCall.start("pipe_read", () -> fifo.reader.read(ByteBuffer.allocate(16)));
            fifo.reader.close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }

    @Test
    void anUntimedWriteToAFullFifoSleepsInWriteAndACloseEndsIt() throws Exception {
        try (FifoEnds fifo = FifoEnds.open(LEAKS.scratch().resolve("f"));
             PipeWriter filler = fifo.fifo.tryOpenWriter().orElseThrow()) {
            // filled through another end: a writeNow on the measured one would end its blocking mode (no RWF_NOWAIT)
            while (filler.writeNow(ByteBuffer.allocate(4096)) > 0) {
                // fill it
            }
            BlockedCall writer = BlockedCall.start("pipe_write", () -> fifo.writer.write(ByteBuffer.allocate(100_000)));
            fifo.writer.close();
            assertInstanceOf(AsynchronousCloseException.class, writer.failure());
        }
    }

    /**
     * A call that must not wait, on a FIFO (which may refuse the per-call RWF_NOWAIT: its end then leaves blocking
     * mode for good), does not wait, and an untimed read after it still waits for data and gets it.
     */
    @Test
    void aFifoReadThatMustNotWaitLeavesUntimedReadsWorking() throws Exception {
        try (FifoEnds fifo = FifoEnds.open(LEAKS.scratch().resolve("f"))) {
            assertEquals(0, fifo.reader.readNow(ByteBuffer.allocate(1)));
            ByteBuffer one = ByteBuffer.allocate(1);
            BlockedCall reader = BlockedCall.start("pipe_read|poll", () -> fifo.reader.read(one));
            fifo.writer.write(ByteBuffer.wrap(new byte[] {7}));
            assertEquals(1, reader.result());
            assertEquals(7, one.get(0));
        }
    }

    /** Both ends of a new FIFO, opened in this process (the reader's open waits for the writer's, on a thread). */
    private record FifoEnds(Fifo fifo, PipeReader reader, PipeWriter writer) implements AutoCloseable {
        static FifoEnds open(java.nio.file.Path path) throws Exception {
            Fifo fifo = Fifo.create(path);
            var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return fifo.openReader(LIMIT);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            PipeWriter writer = fifo.openWriter(LIMIT);
            return new FifoEnds(fifo, reading.get(LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), writer);
        }

        @Override
        public void close() throws java.io.IOException {
            reader.close();
            writer.close();
            fifo.remove();
        }
    }

    @Test
    void aTimedReadWaitsInPollAndTimesOut() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            BlockedCall reader = BlockedCall.start("poll", () -> pipe.reader().read(ByteBuffer.allocate(1), Duration.ofSeconds(2)));
            assertInstanceOf(IpcTimeoutException.class, reader.failure());
        }
    }
}
