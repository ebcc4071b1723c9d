package io.ipc4j.socket;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Messages of seeded random bytes, and the check that one arrived whole in a buffer. */
final class ReceivedBytes {
    private ReceivedBytes() {
    }

    /** That {@code into} holds exactly {@code expected} from 0 to its position, and {@code length} says so. */
    static void assertReceived(byte[] expected, ByteBuffer into, int length) {
        assertEquals(expected.length, length);
        assertEquals(expected.length, into.position());
        byte[] got = new byte[length];
        into.flip().get(got);
        assertArrayEquals(expected, got);
    }

    /** {@code length} random bytes from {@code seed}. */
    static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
