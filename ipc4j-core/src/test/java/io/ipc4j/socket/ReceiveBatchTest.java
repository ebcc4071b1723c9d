package io.ipc4j.socket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A receive batch gives each entry what its socket held, at the entry's offset, in order across batches; an
 * empty socket 0, a peer's end of stream -1, a closed socket its failure, without touching the others; on an
 * io_uring and on plain receives.
 */
class ReceiveBatchTest {
    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void eachEntryGetsWhatItsSocketHeldAtItsOffset(boolean ring) throws IOException {
        List<SocketPair<StreamSocket>> pairs = new ArrayList<>();
        ByteBuffer room = ByteBuffer.allocateDirect(60 * 1000);
        try (ReceiveBatch batch = ReceiveBatch.open(60, ring)) {
            for (int i = 0; i < 60; i++) {
                pairs.add(StreamSocket.pair());
                pairs.get(i).second().write(ByteBuffer.wrap(message(16 * i, i)));
            }
            for (int round = 0; round < 2; round++) { // the first takes at most 500 bytes, the second the rest
                for (int i = 0; i < 60; i++) {
                    room.position(i * 7 % 900); // offsets are the buffer's, whatever its position
                    assertEquals(i, batch.add(pairs.get(i).first(), room, i * 1000, 500));
                }
                batch.receive();
                for (int i = 0; i < 60; i++) {
                    assertNull(batch.failure(i));
                    int expected = round == 0 ? Math.min(16 * i, 500) : Math.max(0, 16 * i - 500);
                    assertEquals(expected, batch.received(i), "entry " + i + ", round " + round);
                    byte[] got = new byte[expected];
                    room.get(i * 1000, got);
                    int from = round == 0 ? 0 : Math.min(500, 16 * i);
                    assertArrayEquals(Arrays.copyOfRange(message(16 * i, i), from, from + expected), got);
                }
                batch.clear();
            }
        } finally {
            pairs.forEach(SocketPair::close);
        }
    }

    @ParameterizedTest(name = "io_uring {0}")
    @ValueSource(booleans = {true, false})
    void emptyEndedAndClosedSocketsEachGetTheirOwnOutcome(boolean ring) throws IOException {
        try (SocketPair<StreamSocket> empty = StreamSocket.pair(); SocketPair<StreamSocket> ended = StreamSocket.pair();
             SocketPair<StreamSocket> closed = StreamSocket.pair(); SocketPair<StreamSocket> fine = StreamSocket.pair();
             ReceiveBatch batch = ReceiveBatch.open(4, ring)) {
            ended.second().close();
            fine.second().write(ByteBuffer.wrap(message(30, 5)));
            ByteBuffer room = ByteBuffer.allocateDirect(400);
            batch.add(empty.first(), room, 0, 100);
            batch.add(ended.first(), room, 100, 100);
            batch.add(closed.first(), room, 200, 100);
            batch.add(fine.first(), room, 300, 100);
            closed.first().close();
            batch.receive();
            assertEquals(0, batch.received(0));
            assertNull(batch.failure(0));
            assertEquals(-1, batch.received(1));
            assertNull(batch.failure(1));
            assertInstanceOf(ClosedChannelException.class, batch.failure(2));
            assertEquals(30, batch.received(3));
            byte[] got = new byte[30];
            room.get(300, got);
            assertArrayEquals(message(30, 5), got);
        }
    }

    @Test
    void misuseIsRefusedWithWhatToDo() throws IOException {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair(); ReceiveBatch batch = ReceiveBatch.open(2)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(pair.first(),
                    ByteBuffer.allocate(8), 0, 8)).getMessage().contains("direct buffer"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(pair.first(),
                    ByteBuffer.allocateDirect(8).asReadOnlyBuffer(), 0, 8)).getMessage().contains("read-only"));
            ByteBuffer room = ByteBuffer.allocateDirect(16);
            batch.add(pair.first(), room, 0, 8);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(pair.first(), room, 8, 8))
                    .getMessage().contains("one larger entry"));
        }
    }

    private static byte[] message(int length, int seed) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) {
            m[i] = (byte) (i * 13 + seed * 3 + (i >> 8));
        }
        return m;
    }
}
