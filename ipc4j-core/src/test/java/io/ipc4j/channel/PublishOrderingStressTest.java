package io.ipc4j.channel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The publish/consume ordering, under concurrency (jcstress's artifacts are not all served here, so this is its
 * equivalent): senders on their own threads write records whose every byte derives from their sequence number,
 * and commit; a receiver on another thread checks every byte of every record it is handed. A commit visible before
 * its payload, a record consumed before it was read, or a claim handed to two senders shows as a wrong byte, a lost
 * or a repeated sequence. Heap memory and a small ring, so the ring wraps every few dozen messages.
 */
class PublishOrderingStressTest {
    private static final int RING = 4096;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Set when the test ends, failed or not: a sender facing a ring nobody drains any more gives up. */
    private final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void oneToOneHandsOverEveryRecordWholeAndInOrder() throws Exception {
        int count = 2_000_000;
        MemorySegment memory = MemorySegment.ofArray(new long[(ChannelLayout.HEADER_LENGTH + RING) / 8]);
        ExecutorService threads = Executors.newFixedThreadPool(1);
        try (OneToOneChannel channel = OneToOneChannel.format(memory, "stress one-to-one")) {
            OneToOneChannel.Sender sender = channel.sender().idleStrategy(IdleStrategy.busySpin());
            RingReceiver receiver = channel.receiver();
            Future<?> sending = threads.submit(() -> send(sender, 0, count));
            Checker checker = new Checker(1, count);
            drain(receiver, checker, (long) count);
            sending.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(List.of((long) count), checker.counts());
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
    }

    @Test
    void manyToOneKeepsEachSendersOrderAndLosesNothing() throws Exception {
        int senders = 3;
        int each = 500_000;
        MemorySegment memory = MemorySegment.ofArray(new long[(ChannelLayout.HEADER_LENGTH + RING) / 8]);
        ExecutorService threads = Executors.newFixedThreadPool(senders);
        try (ManyToOneChannel channel = ManyToOneChannel.format(memory, "stress many-to-one")) {
            RingReceiver receiver = channel.receiver();
            List<Future<?>> sending = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                ManyToOneChannel.Sender sender = channel.sender().idleStrategy(IdleStrategy.spinYield());
                int id = s;
                sending.add(threads.submit(() -> send(sender, id, each)));
            }
            Checker checker = new Checker(senders, each);
            drain(receiver, checker, (long) senders * each);
            for (Future<?> f : sending) {
                f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(List.of((long) each, (long) each, (long) each), checker.counts());
            assertEquals(0, receiver.lostMessages());
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
    }

    /** Sends {@code count} records of sender {@code id}: type = id, payload = 8-byte sequence, then a pattern. */
    private Void send(ZeroCopySender sender, int id, int count) {
        for (long seq = 0; seq < count; seq++) {
            int length = 8 + (int) (seq % 57);
            int offset;
            while ((offset = sender.claim(id, length)) < 0) {
                if (stop.get()) {
                    return null;
                }
                Thread.onSpinWait();
            }
            MemorySegment ring = sender.ring();
            ring.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, seq);
            for (int i = 8; i < length; i++) {
                ring.set(ValueLayout.JAVA_BYTE, offset + i, pattern(id, seq, i));
            }
            sender.commit(offset, length);
        }
        return null;
    }

    private static byte pattern(int id, long seq, int i) {
        return (byte) (id * 101 + seq * 7 + i);
    }

    private static void drain(RingReceiver receiver, Checker checker, long total) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (checker.seen < total) {
            if (receiver.poll(checker, 256) == 0) {
                Thread.onSpinWait();
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("only " + checker.seen + " of " + total + " records came in " + LIMIT);
                }
            }
        }
    }

    /** Checks each record against what its sender wrote, and that each sender's sequence has no gap or repeat. */
    private static final class Checker implements MessageHandler {
        private final long[] next;
        private final long each;
        long seen;

        Checker(int senders, long each) {
            this.next = new long[senders];
            this.each = each;
        }

        @Override
        public void onMessage(int type, MemorySegment memory, int offset, int length) {
            long seq = memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (type < 0 || type >= next.length || seq != next[type] || length != 8 + (int) (seq % 57)) {
                throw new AssertionError("record " + seen + ": sender " + type + ", sequence " + seq + ", length "
                        + length + "; expected sequence " + (type >= 0 && type < next.length ? next[type] : -1));
            }
            for (int i = 8; i < length; i++) {
                byte b = memory.get(ValueLayout.JAVA_BYTE, offset + i);
                if (b != pattern(type, seq, i)) {
                    throw new AssertionError("sender " + type + ", sequence " + seq + ": byte " + i + " is " + b
                            + ", written as " + pattern(type, seq, i) + ": handed over before it was written");
                }
            }
            next[type]++;
            seen++;
        }

        List<Long> counts() {
            List<Long> out = new ArrayList<>();
            for (long n : next) {
                out.add(n);
            }
            if (out.stream().anyMatch(n -> n != each)) {
                throw new AssertionError("per-sender counts " + out + ", each should be " + each);
            }
            return out;
        }
    }
}
