package io.ipc4j.socket;

import io.ipc4j.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads and writes with heap buffers (plain and read-only, one and gathered) allocate nothing once compiled:
 * the copies to and from native memory go through ByteBuffer views of the socket's scratch memory. (They
 * allocated 128 bytes an iteration of this loop through MemorySegment.ofBuffer.) Measured in a fresh JVM,
 * rounds repeated a bounded number of times until the JIT has compiled the loop; no timing is asserted.
 */
class HeapBufferAllocationTest {
    @Test
    void heapBufferReadsAndWritesAllocateNothingOnceCompiled() throws Exception {
        ChildJvm.Result result = ChildJvm.of(HeapBufferIo.class).fullJit().run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        String[] out = result.stdout().strip().split(" ");
        assertEquals("mismatch", out[0], result.describe());
        assertEquals(0, Long.parseLong(out[1]), "the bytes' sum against what was sent: " + result.describe());
        double best = Double.parseDouble(out[3]);
        assertTrue(best < 1, "bytes allocated per iteration, best round: " + best);
    }

    /**
     * The child: a socket pair, heap buffers both ways; prints how far the sum of the bytes received is from the
     * sum sent (0), and the fewest bytes allocated per iteration in a round.
     */
    public static final class HeapBufferIo {
        static final int ROUNDS = 40;
        static final int CALLS = 50_000;

        public static void main(String[] args) throws Exception {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            double best = Double.MAX_VALUE;
            long sum = 0;
            long expected = 0;
            try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
                ByteBuffer plain = ByteBuffer.allocate(48);
                for (int i = 0; i < 48; i++) {
                    plain.put(i, (byte) i);
                }
                ByteBuffer readOnly = ByteBuffer.wrap(new byte[] {5, 6, 7, 8}).asReadOnlyBuffer();
                ByteBuffer[] gathered = {readOnly.duplicate(), plain.duplicate()};
                ByteBuffer in = ByteBuffer.allocate(256);
                long perIteration = 0;
                for (int i = 0; i < 48; i++) {
                    perIteration += 2L * i;
                }
                perIteration += 5 + 6 + 7 + 8;
                for (int round = 0; round < ROUNDS; round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < CALLS; i++) {
                        pair.first().writeNow(plain.clear());
                        gathered[0].clear();
                        gathered[1].clear();
                        pair.first().writeNow(gathered, 0, 2);
                        int got = 0;
                        while (got < 100) {
                            int n = pair.second().readNow(in.clear());
                            for (int k = 0; k < n; k++) {
                                sum += in.get(k);
                            }
                            got += n;
                        }
                        expected += perIteration;
                    }
                    long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                    best = Math.min(best, bytes / (double) CALLS);
                    if (best < 1 && round >= 2) {
                        break;
                    }
                }
            }
            System.out.println("mismatch " + (sum - expected) + " best " + best);
        }
    }
}
