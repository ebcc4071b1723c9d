package io.ipc4j;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.SeqpacketSocket;
import io.ipc4j.socket.SocketPair;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel paths' untimed calls with a reused direct buffer allocate nothing once compiled: a pipe's write
 * and read, a Unix stream, seqpacket and datagram socket's, a POSIX and a System V queue's send and receive.
 * (Each made a segment and a session per call through MemorySegment.ofBuffer: 144 bytes a write and read of a
 * pipe, and on a VM where a first touch of a page costs 18 us, the fresh heap it took cost the pipe's write and
 * read 25% in JMH.) Measured in a fresh JVM, rounds repeated a bounded number of times until the JIT has
 * compiled the loop; no timing is asserted.
 */
class HotPathAllocationTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void untimedCallsWithAReusedDirectBufferAllocateNothingOnceCompiled() throws Exception {
        ChildJvm.Result result = ChildJvm.of(DirectBufferIo.class).fullJit().run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        String[] words = result.stdout().strip().split("\\s+");
        assertEquals(12, words.length, result.describe());
        for (int i = 0; i < words.length; i += 2) {
            assertTrue(Double.parseDouble(words[i + 1]) < 1,
                    "bytes allocated per round trip, best round: " + result.stdout().strip());
        }
    }

    /** One message each way of a mechanism, checked: what allocates nothing once compiled. */
    @FunctionalInterface
    interface RoundTrip {
        void run(ByteBuffer out, ByteBuffer in) throws IOException;
    }

    /**
     * The child: for each mechanism, the fewest bytes allocated per message sent and received in a round, as
     * "name bytes" pairs. Fails (after removing its queues) if a message came back other than it was sent.
     */
    public static final class DirectBufferIo {
        static final int ROUNDS = 40;
        static final int CALLS = 20_000;
        static final int SIZE = 64;

        public static void main(String[] args) throws Exception {
            String queueName = "/ipc4j-alloc-" + ProcessHandle.current().pid();
            Map<String, Double> best = new LinkedHashMap<>();
            try (Pipe pipe = Pipe.open();
                 SocketPair<StreamSocket> stream = StreamSocket.pair();
                 SocketPair<SeqpacketSocket> seqpacket = SeqpacketSocket.pair();
                 SocketPair<DatagramSocket> datagram = DatagramSocket.pair();
                 PosixMessageQueue posix = PosixMessageQueue.create(queueName).maxMessages(1).messageSize(SIZE).open();
                 SysVMessageQueue sysV = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
                try {
                    best.put("pipe", measure((out, in) -> {
                        pipe.writer().write(out);
                        pipe.reader().read(in);
                    }));
                    best.put("unix-stream", measure((out, in) -> {
                        stream.first().write(out);
                        stream.second().read(in);
                    }));
                    best.put("unix-seqpacket", measure((out, in) -> {
                        seqpacket.first().send(out);
                        seqpacket.second().receive(in);
                    }));
                    best.put("unix-dgram", measure((out, in) -> {
                        datagram.first().send(out);
                        datagram.second().receive(in);
                    }));
                    best.put("posix-mq", measure((out, in) -> {
                        posix.send(out, 1);
                        posix.receive(in);
                    }));
                    best.put("sysv-mq", measure((out, in) -> {
                        sysV.send(1, out);
                        sysV.receive(in, 0);
                    }));
                } finally {
                    posix.unlink();
                    sysV.remove();
                }
            }
            StringBuilder line = new StringBuilder();
            best.forEach((name, bytes) -> line.append(name).append(' ').append(bytes).append(' '));
            System.out.println(line.toString().strip());
        }

        /** The fewest bytes allocated per round trip in a round, rounds repeated until it is under one. */
        private static double measure(RoundTrip roundTrip) throws IOException {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
            ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
            double best = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS && !(best < 1 && round >= 2); round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    out.clear().put(0, (byte) i);
                    roundTrip.run(out, in.clear());
                    if (in.position() != SIZE || in.get(0) != (byte) i) {
                        throw new IllegalStateException("message " + i + " came back as " + in.position()
                                + " bytes starting " + in.get(0)); // main's finally removes the queues first
                    }
                }
                best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / (double) CALLS);
            }
            return best;
        }
    }
}
