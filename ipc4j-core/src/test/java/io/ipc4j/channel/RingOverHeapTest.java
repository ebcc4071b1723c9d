package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring logic of every channel kind over heap memory: no shared memory, no other process, so each rule
 * (wrap-around padding, claims, back-pressure, overrun, header checks) is shown in one thread, exactly.
 */
class RingOverHeapTest {
    private static final int CAPACITY = 1024;

    private static MemorySegment heap(int capacity) {
        return MemorySegment.ofArray(new long[(ChannelLayout.HEADER_LENGTH + capacity) / Long.BYTES]);
    }

    @Test
    void oneToOneWrapsWithPaddingAndKeepsOrder() throws Exception {
        MemorySegment memory = heap(CAPACITY);
        try (OneToOneChannel channel = OneToOneChannel.format(memory, "heap one-to-one")) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            ByteBuffer in = ByteBuffer.allocate(channel.maxMessageLength());
            for (int i = 0; i < 1000; i++) { // 1000 messages of 1 to 100 bytes: the ring wraps about 50 times
                int length = 1 + i % 100;
                assertTrue(sender.offer(i % 5, filled(i, length)), "message " + i + " fits a drained ring");
                assertEquals(i % 5, receiver.receiveNow(in.clear()));
                assertEquals(length, in.position());
                assertFilled(i, in.flip());
            }
            assertEquals(ChannelReceiver.NONE, receiver.receiveNow(in.clear()));
        }
    }

    @Test
    void aFullRingRefusesUntilDrainedAndASendTimesOut() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.format(heap(CAPACITY), "heap one-to-one")) {
            OneToOneChannel.Sender sender = channel.sender().idleStrategy(IdleStrategy.spinYield());
            RingReceiver receiver = channel.receiver();
            int sent = 0;
            while (sender.offer(1, ByteBuffer.allocate(100))) {
                sent++;
            }
            assertEquals(CAPACITY / 112, sent, "100-byte messages take 112 bytes each; one header stays free");
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> sender.send(1, ByteBuffer.allocate(100), Duration.ofMillis(20)));
            assertEquals("send(heap one-to-one): the channel is full: timed out after 20 ms", e.getMessage());
            assertEquals(1, receiver.receiveNow(ByteBuffer.allocate(100)));
            assertFalse(sender.offer(1, ByteBuffer.allocate(100)), "at the ring's end the record needs 16 bytes of "
                    + "padding too: one freed record is not enough");
            assertEquals(1, receiver.receiveNow(ByteBuffer.allocate(100)));
            assertTrue(sender.offer(1, ByteBuffer.allocate(100)), "two freed records are");
        }
    }

    @Test
    void aShortCommitLeavesPaddingTheReceiverSkips() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.format(heap(CAPACITY), "heap one-to-one")) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            int offset = sender.claim(9, 64);
            sender.ring().set(ValueLayout.JAVA_BYTE, offset, (byte) 42);
            assertEquals("a claim is open: commit it before the next claim or offer",
                    assertThrows(IllegalStateException.class, () -> sender.claim(1, 1)).getMessage());
            assertEquals("a claim is open: commit it before the next claim or offer",
                    assertThrows(IllegalStateException.class, () -> sender.offer(1, ByteBuffer.allocate(1)))
                            .getMessage(), "an offer cannot pass an open claim");
            sender.commit(offset, 1);
            assertTrue(sender.offer(2, ByteBuffer.wrap(new byte[] {7})));
            List<String> seen = new ArrayList<>();
            assertEquals(2, receiver.poll((type, ring, at, length) ->
                    seen.add(type + ":" + length + ":" + ring.get(ValueLayout.JAVA_BYTE, at)), 10));
            assertEquals(List.of("9:1:42", "2:1:7"), seen, "the claim's unused 63 bytes were skipped as padding");
        }
    }

    @Test
    void manyToOneReceiverClearsWhatItConsumed() throws Exception {
        MemorySegment memory = heap(CAPACITY);
        try (ManyToOneChannel channel = ManyToOneChannel.format(memory, "heap many-to-one")) {
            ManyToOneChannel.Sender a = channel.sender();
            ManyToOneChannel.Sender b = channel.sender();
            RingReceiver receiver = channel.receiver();
            for (int i = 0; i < 300; i++) {
                assertTrue((i % 2 == 0 ? a : b).offer(i % 2, filled(i, 20)));
                ByteBuffer in = ByteBuffer.allocate(64);
                assertEquals(i % 2, receiver.receiveNow(in));
                assertFilled(i, in.flip());
            }
            MemorySegment ring = memory.asSlice(ChannelLayout.HEADER_LENGTH, CAPACITY);
            assertEquals(-1, ring.mismatch(MemorySegment.ofArray(new byte[CAPACITY])),
                    "every consumed record was zeroed, so the ring is all zeroes again");
        }
    }

    @Test
    void broadcastOverrunCountsWhatTheSlowReceiverLost() throws Exception {
        try (BroadcastLog log = BroadcastLog.format(heap(CAPACITY), "heap broadcast")) {
            BroadcastLog.Receiver slow = log.receiver();
            BroadcastLog.Sender sender = log.sender();
            for (int i = 0; i < 100; i++) { // 100 records of 24 bytes: 2400 bytes through a 1024-byte ring
                assertTrue(sender.offer(3, filled(i, 16)));
            }
            ByteBuffer in = ByteBuffer.allocate(64);
            assertEquals(3, slow.receiveNow(in));
            assertEquals(1, slow.lappedCount());
            assertFilled(99, in.flip()); // rejoins at the latest record
            assertEquals(99 * 24 + 2 * 16, slow.lostBytes(), "it lost every record before the latest, and the two "
                    + "16-byte paddings where the ring wrapped");
            List<Integer> polled = new ArrayList<>();
            sender.offer(4, filled(100, 16));
            assertEquals(1, slow.poll((type, memory, at, length) -> polled.add(type * 1000 + length), 5));
            assertEquals(List.of(4016), polled);
        }
    }

    @Test
    void attachChecksTheHeaderAndFormatChecksTheMemory() throws Exception {
        MemorySegment memory = heap(CAPACITY);
        OneToOneChannel.format(memory, "heap").close();
        assertEquals(1024, OneToOneChannel.attach(memory, "again").capacity());
        assertEquals("heap-m2o is a channel of version 4, kind 1; this ipc4j reads version 4, kind 2 (many-to-one)",
                assertThrows(ChannelFormatException.class, () -> ManyToOneChannel.attach(memory, "heap-m2o"))
                        .getMessage());
        assertEquals("blank is not an ipc4j channel (magic 0x0): another program's shared memory, or a channel still "
                        + "being created",
                assertThrows(ChannelFormatException.class, () -> OneToOneChannel.attach(heap(CAPACITY), "blank"))
                        .getMessage());
        assertEquals("bytes: a channel's segment must be 8-byte aligned (for heap memory: "
                        + "MemorySegment.ofArray(new long[n]))",
                assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.format(
                        MemorySegment.ofArray(new byte[512 + 1024]), "bytes")).getMessage());
        assertEquals("channel capacity 1000 must be a power of two from 1024 to 1 GiB",
                assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.format(
                        MemorySegment.ofArray(new long[(512 + 1000) / 8]), "odd")).getMessage());
    }

    @Test
    void aReceiverInHeapMemoryHasNoDoorbellAndSleepsWithoutAFutex() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.format(heap(CAPACITY), "heap")) {
            RingReceiver receiver = channel.receiver(); // spin-park: over heap memory it parks, no futex
            assertEquals("heap is in heap memory: only a receiver in shared memory has a doorbell",
                    assertThrows(IllegalStateException.class, receiver::doorbell).getMessage());
            assertEquals(0, channel.region.header.getIntVolatile(ChannelLayout.RECEIVER_PARKS_OFFSET),
                    "senders are told never to wake it");
            assertThrows(IpcTimeoutException.class, () -> receiver.receive(ByteBuffer.allocate(8),
                    Duration.ofMillis(20)));
        }
    }

    static ByteBuffer filled(int seed, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            b.put((byte) (seed * 31 + i));
        }
        return b.flip();
    }

    static void assertFilled(int seed, ByteBuffer b) {
        for (int i = 0; b.hasRemaining(); i++) {
            assertEquals((byte) (seed * 31 + i), b.get(), "byte " + i + " of message " + seed);
        }
    }
}
