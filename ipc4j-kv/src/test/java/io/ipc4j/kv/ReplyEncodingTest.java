package io.ipc4j.kv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Bulk strings as RESP spells them ("$", the length in decimal, CRLF, the bytes, CRLF), checked against the
 * text built by hand: every width of the length's header (0 to 4 digits, and values sent by reference), written
 * whole into a chunk or split where a chunk ends, from a whole array and from a slice of a larger one.
 */
class ReplyEncodingTest {
    private static final int[] LENGTHS = {0, 1, 9, 10, 99, 100, 999, 1000, 4095, 4096, 20_000};

    @Test
    void bulkStringsOfEveryHeaderWidthAreSpelledAsRespSaysWhereverAChunkEnds() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            Reply reply = new Reply();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 300; i++) {
                int length = random.nextInt(3) == 0 ? LENGTHS[random.nextInt(LENGTHS.length)] : random.nextInt(40);
                byte[] source = new byte[length + 20];
                random.nextBytes(source);
                int offset = random.nextInt(21);
                if (random.nextBoolean()) {
                    reply.bulk(source, offset, length);
                } else {
                    reply.bulk(java.util.Arrays.copyOfRange(source, offset, offset + length));
                }
                expected.writeBytes(("$" + length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                expected.write(source, offset, length);
                expected.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                reply.integer(i); // other replies between them move where the chunks end
                expected.writeBytes((":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            assertArrayEquals(expected.toByteArray(), reply.drain(), "trial " + trial);
        }
    }
}
