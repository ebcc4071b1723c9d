package io.ipc4j.socket;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Heap buffers stage in their thread's native scratch, not in memory of each socket's own: a server thread
 * with many connections (or many short ones) uses one block per direction, sized to what its calls carry.
 * Every byte still arrives as sent.
 */
class ScratchTest {
    @Test
    void theSocketsOfAThreadShareOneScratchPerDirectionSizedToTheirMessages() throws Exception {
        onAFreshThread(ScratchTest::fiftyPairsOnOneThread); // this thread's scratch may have grown in other tests
    }

    private static void fiftyPairsOnOneThread() throws Exception {
        List<SocketPair<StreamSocket>> pairs = new ArrayList<>();
        try {
            MemorySegment send = null;
            MemorySegment receive = null;
            for (int i = 0; i < 50; i++) {
                SocketPair<StreamSocket> pair = StreamSocket.pair();
                pairs.add(pair);
                assertArrayEquals(message(100, i), exchange(pair, message(100, i)));
                if (i == 0) {
                    send = Scratch.forSend().segment();
                    receive = Scratch.forReceive().segment();
                }
                assertSame(send, Scratch.forSend().segment(), "pair " + i + " staged its send elsewhere");
                assertSame(receive, Scratch.forReceive().segment(), "pair " + i + " staged its receive elsewhere");
            }
            assertEquals(Scratch.FIRST_BYTES, send.byteSize());
            assertArrayEquals(message(10_000, 7), exchange(pairs.getFirst(), message(10_000, 7)));
            assertEquals(16_384, Scratch.forSend().segment().byteSize(), "grown to the next power of two");
        } finally {
            pairs.forEach(SocketPair::close);
        }
    }

    @Test
    void eachThreadHasItsOwn() throws Exception {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            assertArrayEquals(message(64, 1), exchange(pair, message(64, 1)));
            MemorySegment mine = Scratch.forSend().segment();
            CompletableFuture<MemorySegment> other = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    assertArrayEquals(message(64, 2), exchange(pair, message(64, 2)));
                    other.complete(Scratch.forSend().segment());
                } catch (Throwable t) {
                    other.completeExceptionally(t);
                }
            });
            assertNotSame(mine, other.get());
        }
    }

    @Test
    void sizesAreThePowerOfTwoAtOrAboveTheNeed() {
        assertEquals(4096, Scratch.sizeFor(0));
        assertEquals(4096, Scratch.sizeFor(4096));
        assertEquals(8192, Scratch.sizeFor(4097));
        assertEquals(65_536, Scratch.sizeFor(65_507));
        assertEquals(65_536, Scratch.sizeFor(65_536));
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void onAFreshThread(Body body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    /** Sends {@code bytes} from a heap buffer one way and reads them back into another heap buffer. */
    private static byte[] exchange(SocketPair<StreamSocket> pair, byte[] bytes) throws Exception {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            pair.first().write(out);
        }
        ByteBuffer in = ByteBuffer.allocate(bytes.length);
        while (in.hasRemaining()) {
            pair.second().read(in);
        }
        return in.array();
    }

    private static byte[] message(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
