package io.ipc4j.socket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A send batch's entries arrive whole and in order, or each gets its own outcome (a full socket 0 bytes, a
 * closed socket or a gone peer its failure) without touching the others; on an io_uring and on plain sends.
 */
class SendBatchTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void usesIoUringWhereTheKernelAllowsIt() throws IOException {
        try (SendBatch batch = SendBatch.open(8)) {
            if (ioUringAllowed()) {
                assertTrue(batch.batched(), batch.mechanism());
                assertEquals(8, batch.capacity());
            } else {
                assertFalse(batch.batched());
                assertTrue(batch.mechanism().contains("io_uring_setup"), batch.mechanism());
            }
        }
    }

    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void everyEntryArrivesWholeAtItsOwnSocket(boolean ring) throws IOException {
        List<SocketPair<StreamSocket>> pairs = new ArrayList<>();
        ByteBuffer bytes = ByteBuffer.allocateDirect(100 * 1000);
        try (SendBatch batch = SendBatch.open(100, ring)) {
            for (int i = 0; i < 100; i++) {
                pairs.add(StreamSocket.pair());
                bytes.put(i * 1000, message(1000, i));
            }
            for (int round = 0; round < 3; round++) { // the ring's slots are reused after each send
                for (int i = 0; i < 100; i++) {
                    bytes.position(i * 999 % 5000); // offsets are the buffer's, whatever its position
                    assertEquals(i, batch.add(pairs.get(i).first(), bytes, i * 1000, 10 * i + round));
                }
                bytes.limit(10).position(7); // and its limit, as they are when it sends
                batch.send();
                bytes.clear();
                for (int i = 0; i < 100; i++) {
                    assertNull(batch.failure(i));
                    assertEquals(10 * i + round, batch.sent(i), "entry " + i);
                    ByteBuffer got = ByteBuffer.allocate(10 * i + round);
                    pairs.get(i).second().readFully(got, BOUND);
                    assertArrayEquals(java.util.Arrays.copyOf(message(1000, i), 10 * i + round), got.array());
                }
                batch.clear();
            }
        } finally {
            pairs.forEach(SocketPair::close);
        }
    }

    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void aFullSocketTakesWhatFitsAndNothingWaits(boolean ring) throws IOException {
        try (SocketPair<StreamSocket> full = StreamSocket.pair(); SocketPair<StreamSocket> free = StreamSocket.pair();
             SendBatch batch = SendBatch.open(4, ring)) {
            full.first().setSendBufferSize(4096);
            ByteBuffer filler = ByteBuffer.allocateDirect(64 * 1024);
            while (full.first().writeNow(filler.clear()) > 0) {
                // until the socket has no room
            }
            ByteBuffer bytes = ByteBuffer.allocateDirect(1 << 20);
            bytes.put(0, message(1 << 20, 3));
            batch.add(full.first(), bytes, 0, 100);
            batch.add(free.first(), bytes, 0, 1 << 20);
            batch.send();
            assertEquals(0, batch.sent(0));
            assertNull(batch.failure(0));
            int part = batch.sent(1);
            assertTrue(part > 0 && part < 1 << 20, "a megabyte is more than the socket takes at once: " + part);
            ByteBuffer got = ByteBuffer.allocate(part);
            free.second().readFully(got, BOUND);
            assertArrayEquals(java.util.Arrays.copyOf(message(1 << 20, 3), part), got.array());
        }
    }

    /**
     * A peer that shut its input down (a deaf client): this end's sends fail with EPIPE, its reads see nothing, the
     * deaf end reads end of stream at once.
     */
    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void aPeerThatShutItsInputDownMakesSendsFailWithEpipe(boolean ring) throws IOException {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair(); SendBatch batch = SendBatch.open(1, ring)) {
            pair.second().shutdownInput();
            ByteBuffer bytes = ByteBuffer.allocateDirect(16);
            batch.add(pair.first(), bytes, 0, 16);
            batch.send();
            assertTrue(batch.failure(0).getMessage().startsWith("send("), batch.failure(0).getMessage());
            assertTrue(batch.failure(0).getMessage().contains("EPIPE"), batch.failure(0).getMessage());
            assertEquals(0, pair.first().readNow(ByteBuffer.allocate(4)), "no end of stream for the sender");
            assertEquals(-1, pair.second().read(ByteBuffer.allocate(4), BOUND));
        }
    }

    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void aClosedSocketAndAGonePeerFailAloneAndNoSignalEndsTheProcess(boolean ring) throws IOException {
        try (SocketPair<StreamSocket> closed = StreamSocket.pair(); SocketPair<StreamSocket> gone = StreamSocket.pair();
             SocketPair<StreamSocket> fine = StreamSocket.pair(); SendBatch batch = SendBatch.open(4, ring)) {
            ByteBuffer bytes = ByteBuffer.allocateDirect(16);
            bytes.put(0, message(16, 1));
            batch.add(closed.first(), bytes, 0, 16);
            batch.add(gone.first(), bytes, 0, 16);
            batch.add(fine.first(), bytes, 0, 16);
            closed.first().close();
            gone.second().close();
            batch.send();
            assertInstanceOf(ClosedChannelException.class, batch.failure(0));
            assertEquals(0, batch.sent(0));
            assertTrue(batch.failure(1).getMessage().startsWith("send("), batch.failure(1).getMessage());
            assertTrue(batch.failure(1).getMessage().contains("EPIPE"), batch.failure(1).getMessage());
            assertNull(batch.failure(2));
            assertEquals(16, batch.sent(2));
            ByteBuffer got = ByteBuffer.allocate(16);
            fine.second().readFully(got, BOUND);
            assertArrayEquals(message(16, 1), got.array());
        }
    }

    @Test
    void misuseIsRefusedWithWhatToDo() throws IOException {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair(); SocketPair<StreamSocket> other = StreamSocket.pair();
             SendBatch batch = SendBatch.open(2)) {
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(pair.first(),
                    ByteBuffer.allocate(8), 0, 8)).getMessage().contains("direct buffer"));
            assertThrows(IndexOutOfBoundsException.class, () -> batch.add(pair.first(), direct, 4, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> batch.sent(0)); // nothing added
            batch.add(pair.first(), direct, 0, 8);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(pair.first(), direct, 0, 8))
                    .getMessage().contains("in this batch already"));
            assertTrue(assertThrows(IllegalStateException.class, () -> batch.sent(0)).getMessage()
                    .contains("not been made"));
            batch.send();
            assertTrue(assertThrows(IllegalStateException.class, () -> batch.add(pair.first(), direct, 0, 8))
                    .getMessage().contains("clear()"));
            assertThrows(IllegalStateException.class, batch::send);
            batch.clear();
            batch.add(pair.first(), direct, 0, 8); // the socket may join again once cleared
            batch.add(other.first(), direct, 0, 8);
            assertTrue(assertThrows(IllegalStateException.class, () -> batch.add(pair.first(), direct, 0, 8))
                    .getMessage().contains("full"));
        }
        assertThrows(IllegalArgumentException.class, () -> SendBatch.open(0));
        assertThrows(IllegalArgumentException.class, () -> SendBatch.open(SendBatch.MAX_CAPACITY + 1));
    }

    /** io_uring_disabled is 0 and no seccomp filter could refuse io_uring_setup. */
    private static boolean ioUringAllowed() throws IOException {
        Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
        boolean enabled = !Files.exists(disabled) || Files.readString(disabled).trim().equals("0");
        boolean filtered = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.startsWith("Seccomp:") && !l.endsWith("0"));
        return enabled && !filtered;
    }

    private static byte[] message(int length, int seed) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) {
            m[i] = (byte) (i * 31 + seed * 7 + (i >> 8));
        }
        return m;
    }
}
