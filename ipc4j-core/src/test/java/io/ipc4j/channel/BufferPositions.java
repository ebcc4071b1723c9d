package io.ipc4j.channel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The check every channel kind passes: sends and receives use each buffer's own position and limit, whether the
 * buffer is reused (a segment is kept over it) or changes, on the heap or direct.
 */
final class BufferPositions {
    private BufferPositions() {
    }

    @FunctionalInterface
    interface Send {
        void send(int type, ByteBuffer message) throws Exception;
    }

    @FunctionalInterface
    interface Receive {
        int receive(ByteBuffer into) throws Exception;
    }

    static void check(Send send, Receive receive) throws Exception {
        ByteBuffer heap = ascii("..hello..world");
        ByteBuffer in = ByteBuffer.allocate(32).position(3);                  // receive after what is there
        send.send(1, heap.position(2).limit(7));                               // "hello"
        send.send(2, heap.limit(14).position(9));                              // same buffer, other position
        send.send(3, ByteBuffer.allocateDirect(16).put(ascii("xyz!")).flip()); // another buffer
        assertEquals(1, receive.receive(in));
        assertEquals(2, receive.receive(in));
        ByteBuffer other = ByteBuffer.allocateDirect(8);
        assertEquals(3, receive.receive(other));
        assertEquals("helloworld", new String(in.array(), 3, 10, StandardCharsets.US_ASCII));
        assertEquals(13, in.position());
        assertEquals(14, heap.position(), "a sent buffer is consumed");
        assertEquals(4, other.position());
        assertEquals('!', other.get(3));
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
