package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.PeerClosedException;
import io.ipc4j.PosixError;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anonymous pipes within one process: the contracts of PipeReader and PipeWriter. */
class PipeTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void bytesWrittenAreReadInOrderThenEndOfStream() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            pipe.writer().write("hello ".getBytes(StandardCharsets.UTF_8));
            pipe.writer().write(ByteBuffer.wrap("pipe".getBytes(StandardCharsets.UTF_8)), SECOND);
            pipe.writer().close();
            ByteBuffer buffer = ByteBuffer.allocate(10);
            pipe.reader().readFully(buffer, SECOND);
            assertEquals("hello pipe", new String(buffer.array(), StandardCharsets.UTF_8));
            assertEquals(-1, pipe.reader().read(ByteBuffer.allocate(1), SECOND));
            assertEquals(-1, pipe.reader().readNow(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void readNowReturnsZeroOnAnEmptyPipe() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertEquals(0, pipe.reader().readNow(ByteBuffer.allocate(16)));
            assertEquals(0, pipe.reader().readNow(ByteBuffer.allocateDirect(16)));
        }
    }

    @Test
    void readTimesOutWithAClearMessage() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> pipe.reader().read(ByteBuffer.allocate(1), Duration.ofMillis(50)));
            assertEquals("read(pipe reader fd " + pipe.reader().fd() + "): timed out after 50 ms", e.getMessage());
            assertEquals(0, e.bytesTransferred);
        }
    }

    @Test
    void writeToAPipeWithNoReaderThrowsPeerClosed() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            int fd = pipe.writer().fd();
            pipe.reader().close();
            PeerClosedException e = assertThrows(PeerClosedException.class,
                    () -> pipe.writer().write(new byte[] {1}));
            assertEquals("write(pipe writer fd " + fd + ") failed: EPIPE (Broken pipe): the reading end is closed",
                    e.getMessage());
            assertEquals("EPIPE", e.errnoName());
            assertEquals("write", e.call());
        }
    }

    @Test
    void aTimedOutWriteSaysHowMuchWasWrittenAndLosesNothing() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            int capacity = pipe.capacity();
            byte[] data = new byte[capacity * 4];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            ByteBuffer source = ByteBuffer.wrap(data);
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> pipe.writer().write(source, Duration.ofMillis(100)));
            assertEquals(capacity, e.bytesTransferred);
            assertEquals(capacity, source.position());
            ByteBuffer received = ByteBuffer.allocate(data.length);
            CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
                try {
                    pipe.writer().write(source, Duration.ofSeconds(10));
                } catch (Exception ex) {
                    throw new RuntimeException(ex);
                }
            });
            pipe.reader().readFully(received, Duration.ofSeconds(10));
            rest.get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, received.array());
        }
    }

    @Test
    void writeNowWritesOnlyWhatFits() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            int capacity = pipe.capacity();
            ByteBuffer big = ByteBuffer.allocateDirect(capacity + 1000);
            assertEquals(capacity, pipe.writer().writeNow(big));
            assertEquals(0, pipe.writer().writeNow(big));
            assertEquals(1000, big.remaining());
        }
    }

    @Test
    void capacityCanBeRaised() throws Exception {
        try (Pipe pipe = Pipe.open(1 << 20)) {
            assertEquals(1 << 20, pipe.capacity());
        }
    }

    @Test
    void streamsCarryBytesBothWays() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            OutputStream out = pipe.writer().outputStream();
            out.write('A');
            out.write("BCD".getBytes(StandardCharsets.US_ASCII), 1, 2);
            out.close();
            assertFalse(pipe.writer().isOpen());
            try (InputStream in = pipe.reader().inputStream(SECOND)) {
                assertArrayEquals("ACD".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
            }
        }
    }

    @Test
    void closeWakesAReaderBlockedInAnotherThread() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.reader().read(ByteBuffer.allocate(1));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThrows(java.util.concurrent.TimeoutException.class, () -> blocked.get(300, TimeUnit.MILLISECONDS));
            pipe.reader().close();
            var e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> blocked.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause().getCause());
        }
    }

    @Test
    void closingTwiceIsHarmlessAndAClosedEndRefusesWork() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.close();
        pipe.close();
        assertThrows(ClosedChannelException.class, () -> pipe.reader().read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> pipe.writer().write(new byte[1]));
        assertThrows(ClosedChannelException.class, () -> pipe.reader().fd());
    }

    @Test
    void aForgottenPipeIsClosedByTheCleaner() throws Exception {
        int[] fds = forgetAPipe();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (io.ipc4j.testing.Descriptors.open().keySet().stream().anyMatch(fd -> fd == fds[0] || fd == fds[1])) {
            assertTrue(System.nanoTime() < deadline, "the Cleaner did not close fds " + fds[0] + ", " + fds[1]);
            System.gc();
            Thread.sleep(10); // giving the Cleaner thread a turn; the loop is bounded by the deadline
        }
    }

    private static int[] forgetAPipe() throws Exception {
        Pipe pipe = Pipe.open();
        return new int[] {pipe.reader().fd(), pipe.writer().fd()};
    }

    @Test
    void adoptingSomethingThatIsNotAPipeIsAClearError() throws Exception {
        var e = assertThrows(java.io.IOException.class, () -> PipeReader.fromInherited(987));
        assertEquals("fcntl(F_GETPIPE_SZ)(inherited pipe fd 987) failed: EBADF (Bad file descriptor): "
                + "no such descriptor: did the parent pass it (Spawn.inherit)?", e.getMessage());
        assertTrue(e instanceof PosixError p && p.errno() == 9);
    }
}
