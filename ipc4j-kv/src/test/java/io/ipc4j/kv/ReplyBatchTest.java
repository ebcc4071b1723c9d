package io.ipc4j.kv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a batch of sends takes of a client's replies ({@link Reply#copyTo}, then {@link Reply#consume} of what
 * the socket took, often less) leaves the rest queued in order: the bytes sent, joined, are the replies' bytes.
 */
class ReplyBatchTest {
    @Test
    void partialSendsOverManyChunksAndByReferenceValuesKeepTheStreamWhole() {
        SplittableRandom random = new SplittableRandom(19);
        for (int trial = 0; trial < 50; trial++) {
            Reply reply = new Reply();
            Reply twin = new Reply();
            for (int i = 0; i < 200; i++) {
                byte[] value = new byte[random.nextInt(3) == 0 ? random.nextInt(40_000) : random.nextInt(300)];
                random.nextBytes(value);
                reply.bulk(value);
                twin.bulk(value);
                reply.integer(i);
                twin.integer(i);
            }
            byte[] expected = twin.drain();
            ByteBuffer staging = ByteBuffer.allocateDirect(70_000);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            while (!reply.isEmpty()) {
                staging.clear().position(random.nextInt(100)); // a batch's entry starts anywhere in its buffer
                int start = staging.position();
                int copied = reply.copyTo(staging, 1 + random.nextInt(65_536));
                assertTrue(copied > 0);
                int taken = random.nextInt(4) == 0 ? copied : random.nextInt(copied + 1); // full, or partial
                byte[] bytes = new byte[taken];
                staging.get(start, bytes);
                sent.writeBytes(bytes);
                long before = reply.pending();
                reply.consume(taken);
                assertEquals(before - taken, reply.pending());
            }
            assertArrayEquals(expected, sent.toByteArray(), "trial " + trial);
        }
    }
}
