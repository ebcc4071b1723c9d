package io.ipc4j.channel;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many senders, one receiver: per-sender order, nothing lost, and a sender that died mid-message. */
class ManyToOneChannelTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(120);
    private final String name = "/ipc4j-m2o-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        ManyToOneChannel.unlink(name);
    }

    @Test
    void threeProducersKeepTheirOrderAndLoseNothing() throws Exception {
        int producers = 3;
        long each = 200_000;
        try (ManyToOneChannel channel = ManyToOneChannel.create(name, 1 << 16)) {
            RingReceiver receiver = channel.receiver();
            List<ChildJvm.Running> children = new ArrayList<>();
            try {
                for (int id = 1; id <= producers; id++) {
                    children.add(ChildJvm.of(ChannelChildren.ManyProducer.class, name, "" + id, "" + each).fullJit()
                            .start());
                }
                long[] next = new long[producers + 1];
                ByteBuffer in = ByteBuffer.allocate(16);
                for (long i = 0; i < producers * each; i++) {
                    int type = receiver.receive(in.clear(), LIMIT);
                    int id = (int) in.getLong(0);
                    assertEquals(type, id, "the type travels with the message");
                    assertEquals(next[id]++, in.getLong(8), "producer " + id + "'s order");
                }
                for (ChildJvm.Running child : children) {
                    assertEquals("done", child.finish(LIMIT).stdout().strip());
                }
                for (int id = 1; id <= producers; id++) {
                    assertEquals(each, next[id]);
                }
                assertEquals(Integer.MIN_VALUE, receiver.receiveNow(in.clear()), "a message more than was sent");
                assertEquals(0, receiver.lostMessages());
            } finally {
                children.forEach(ChildJvm.Running::close);
            }
        }
    }

    @Test
    void aRecordAbandonedByADeadSenderIsSkippedAndCounted() throws Exception {
        int deadPid;
        try (ChildProcess gone = Spawn.command("true").start()) {
            gone.waitFor(LIMIT);
            deadPid = gone.pid();
        }
        try (ManyToOneChannel channel = ManyToOneChannel.create(name, 4096);
             SharedMemory raw = SharedMemory.open(name)) {
            RingReceiver receiver = channel.receiver();
            // As a sender that claimed 16 bytes at position 0 and was killed before committing leaves it:
            raw.buffer().putInt(512 + 4, -deadPid);
            raw.buffer().putIntVolatile(512, -16);
            raw.buffer().putLongVolatile(128, 16);
            ManyToOneChannel.Sender sender = channel.sender();
            sender.send(5, ByteBuffer.wrap(new byte[] {42}), LIMIT);
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(5, receiver.receive(in, LIMIT));
            assertEquals(42, in.get(0));
            assertEquals(1, receiver.lostMessages());
        }
    }

    @Test
    void zeroCopyClaimsCommittedShorterArriveWholeInClaimOrder() throws Exception {
        try (ManyToOneChannel channel = ManyToOneChannel.create(name, 1024)) {
            ManyToOneChannel.Sender first = channel.sender();
            ManyToOneChannel.Sender second = channel.sender();
            RingReceiver receiver = channel.receiver();
            int max = channel.maxMessageLength();
            ByteBuffer out = ByteBuffer.allocate(max);
            ByteBuffer in = ByteBuffer.allocate(max);
            for (long seq = 0; seq < 20_000; seq += 2) {
                int length = (int) (seq % (max + 1));
                int a = first.claim((int) seq, max);
                int b = second.claim((int) seq + 1, 3);
                assertTrue(a >= 0 && b >= 0, "an empty ring must take two claims");
                assertThrows(IllegalStateException.class, () -> first.claim(0, 1), "one claim at a time");
                second.ring().asSlice(b, 3).copyFrom(MemorySegment.ofArray(new byte[] {1, 2, 3}));
                second.commit(b, 3);
                assertEquals(Integer.MIN_VALUE, receiver.receiveNow(in.clear()), "the earlier claim comes first");
                ChannelChildren.fill(out, seq, length);
                first.ring().asSlice(a, length).copyFrom(MemorySegment.ofBuffer(out));
                first.commit(a, length);
                assertEquals((int) seq, receiver.receiveNow(in.clear()));
                assertEquals(out, in.flip(), "message " + seq);
                assertEquals((int) seq + 1, receiver.receiveNow(in.clear()));
                assertEquals(3, in.position());
            }
            assertEquals(Integer.MIN_VALUE, receiver.receiveNow(in.clear()));
        }
    }

    @Test
    void reusedAndChangingBuffersSendAndReceiveTheirOwnPositions() throws Exception {
        try (ManyToOneChannel channel = ManyToOneChannel.create(name, 4096)) {
            ManyToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            BufferPositions.check((type, message) -> assertTrue(sender.offer(type, message)), receiver::receiveNow);
        }
    }

    @Test
    void theKindIsChecked() throws Exception {
        try (OneToOneChannel one = OneToOneChannel.create(name, 4096)) {
            var e = assertThrows(ChannelFormatException.class, () -> ManyToOneChannel.open(name));
            assertEquals(name + " is a channel of version 4, kind 1; this ipc4j reads version 4, kind 2 (many-to-one)",
                    e.getMessage());
            assertEquals(4096, one.capacity());
        }
    }
}
