package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-to-one shared-memory channel: order, completeness, wrap-around, headers, back-pressure, dead peers. */
class OneToOneChannelTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(120);
    private final String name = "/ipc4j-channel-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        OneToOneChannel.unlink(name);
    }

    @Test
    void tenMillionMessagesOfRandomSizesArriveInOrderAndIntact() throws Exception {
        long count = 10_000_000;
        long seed = 42;
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1 << 20);
             ChildJvm.Running producer = ChildJvm.of(ChannelChildren.Producer.class, name, "" + count, "" + seed)
                     .fullJit().start()) {
            RingReceiver receiver = channel.receiver();
            SplittableRandom random = new SplittableRandom(seed);
            CRC32C crc = new CRC32C();
            long[] next = {0};
            MessageHandler check = (type, ring, offset, length) -> {
                long seq = next[0]++;
                int expectedLength = random.nextInt(257);
                if (type != seq % 7 || length != expectedLength
                        || (length > 0 && (ring.get(ValueLayout.JAVA_BYTE, offset) != (byte) seq
                        || ring.get(ValueLayout.JAVA_BYTE, offset + length - 1) != (byte) (seq + length - 1)))) {
                    throw new AssertionError("message " + seq + " is wrong: type " + type + ", length " + length
                            + " (expected " + expectedLength + ")");
                }
                crc.update(ring.asSlice(offset, length).asByteBuffer());
            };
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (next[0] < count) {
                if (receiver.poll(check, 1024) == 0) {
                    assertTrue(System.nanoTime() < deadline, "only " + next[0] + " messages arrived");
                    Thread.onSpinWait();
                }
            }
            ChildJvm.Result result = producer.finish(LIMIT);
            assertEquals("sent " + count + " crc " + Long.toHexString(crc.getValue()), result.stdout().strip(),
                    result.describe());
            assertEquals(0, receiver.poll((t, r, o, l) -> { }, 10), "a message more than was sent");
        }
    }

    @Test
    void everyLengthWrapsAroundAtEveryPosition() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1024)) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            ByteBuffer out = ByteBuffer.allocate(channel.maxMessageLength());
            ByteBuffer in = ByteBuffer.allocate(channel.maxMessageLength());
            long seq = 0;
            for (int round = 0; round < 200; round++) {
                for (int length = 0; length <= channel.maxMessageLength(); length++) {
                    ChannelChildren.fill(out, seq, length);
                    assertTrue(sender.offer((int) seq, out), "an empty ring must take a message");
                    in.clear();
                    assertEquals((int) seq, receiver.receiveNow(in));
                    in.flip();
                    assertEquals(length, in.remaining());
                    ChannelChildren.fill(out, seq, length);
                    assertEquals(out, in, "message " + seq);
                    seq++;
                }
            }
            assertEquals(Integer.MIN_VALUE, receiver.receiveNow(in.clear()));
        }
    }

    /**
     * From 3 KiB on, messages are copied by the C library (MemoryCalls.copy): both ways, from and into heap and
     * direct buffers, at an offset in them, at lengths on each side of the threshold and wrapping the ring.
     */
    @Test
    void messagesTheCLibraryCopiesArriveIntactFromAndIntoHeapAndDirectBuffers() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1 << 20)) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            int max = channel.maxMessageLength();
            int[] lengths = {3 * 1024 - 1, 3 * 1024, 3 * 1024 + 1, 4096, 65536, 100_003, max};
            SplittableRandom random = new SplittableRandom(7);
            int type = 0;
            for (int turn = 0; turn < 16; turn++) { // about 6 MB through a 1 MiB ring: it wraps several times
                for (int length : lengths) {
                    boolean directOut = (turn & 1) == 0;
                    boolean directIn = (turn & 2) == 0;
                    ByteBuffer out = (directOut ? ByteBuffer.allocateDirect(length + 13) : ByteBuffer.allocate(length + 13));
                    byte[] bytes = new byte[length];
                    random.nextBytes(bytes);
                    out.position(13);
                    out.put(bytes).flip().position(13);
                    assertTrue(sender.offer(++type, out), "an empty ring must take " + length + " bytes");
                    assertEquals(out.limit(), out.position(), "the message was taken whole");
                    ByteBuffer in = directIn ? ByteBuffer.allocateDirect(length + 9) : ByteBuffer.allocate(length + 9);
                    in.position(9);
                    assertEquals(type, receiver.receiveNow(in));
                    assertEquals(length + 9, in.position());
                    assertEquals(ByteBuffer.wrap(bytes), in.flip().position(9), length + " bytes, turn " + turn);
                }
            }
            assertEquals(Integer.MIN_VALUE, receiver.receiveNow(ByteBuffer.allocate(max)));
        }
    }

    @Test
    void claimsCommittedShorterThanClaimedArriveWholeAtEveryRingPosition() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1024)) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            int max = channel.maxMessageLength();
            ByteBuffer out = ByteBuffer.allocate(max);
            ByteBuffer in = ByteBuffer.allocate(max);
            for (long seq = 0; seq < 20_000; seq++) {
                int length = (int) (seq % (max + 1));
                int claimed = Math.min(max, length + (int) (seq % 29));
                int offset = sender.claim((int) seq, claimed);
                assertTrue(offset >= 0, "an empty ring must take a claim");
                ChannelChildren.fill(out, seq, length);
                sender.ring().asSlice(offset, length).copyFrom(MemorySegment.ofBuffer(out));
                if (claimed < max) {
                    int over = claimed + 1;
                    assertEquals("commit of " + over + " bytes where " + claimed + " were claimed: a message may be "
                            + "committed shorter than its claim, never longer",
                            assertThrows(IllegalArgumentException.class, () -> sender.commit(offset, over)).getMessage());
                }
                sender.commit(offset, length);
                assertTrue(sender.offer(7, ByteBuffer.wrap(new byte[] {(byte) seq})), "a message after the claim");
                assertEquals((int) seq, receiver.receiveNow(in.clear()));
                assertEquals(out, in.flip(), "message " + seq);
                assertEquals(7, receiver.receiveNow(in.clear()));
                assertEquals(1, in.position());
                assertEquals((byte) seq, in.get(0));
            }
            assertEquals(Integer.MIN_VALUE, receiver.receiveNow(in.clear()));
        }
    }

    @Test
    void reusedAndChangingBuffersSendAndReceiveTheirOwnPositions() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096)) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            BufferPositions.check((type, message) -> assertTrue(sender.offer(type, message)), receiver::receiveNow);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"busySpin", "spinYield", "spinPark"})
    void aFullChannelRefusesOffersAndTimesOutASend(String strategy) throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1024)) {
            OneToOneChannel.Sender sender = channel.sender()
                    .idleStrategy((IdleStrategy) IdleStrategy.class.getMethod(strategy).invoke(null));
            channel.receiver(); // a live receiver that does not read
            ByteBuffer message = ByteBuffer.allocate(100);
            int sent = 0;
            while (sender.offer(1, message.clear())) {
                sent++;
            }
            assertEquals(1024 / 112, sent, "100-byte messages take 112 bytes of ring each");
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> sender.send(1, message.clear(), Duration.ofMillis(50)));
            assertEquals("send(" + name + "): the channel is full: timed out after 50 ms", e.getMessage());
            assertEquals(0, message.position(), "a message that was not sent stays in the buffer");
            assertThrows(IllegalArgumentException.class, () -> sender.claim(1, channel.maxMessageLength() + 1));
            assertEquals("message type -1 is negative: types are 0 and up (negative ones mark the ring's own records)",
                    assertThrows(IllegalArgumentException.class, () -> sender.offer(-1, message.clear())).getMessage());
        }
    }

    @Test
    void zeroCopyClaimAndCommit() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096)) {
            OneToOneChannel.Sender sender = channel.sender();
            RingReceiver receiver = channel.receiver();
            int offset = sender.claim(9, 5);
            sender.ring().asSlice(offset, 5).copyFrom(MemorySegment.ofArray("hello".getBytes()));
            assertEquals(Integer.MIN_VALUE, receiver.receiveNow(ByteBuffer.allocate(16)), "not visible before commit");
            assertEquals("a claim is open: commit it before the next claim or offer",
                    assertThrows(IllegalStateException.class, () -> sender.offer(1, ByteBuffer.allocate(4))).getMessage());
            assertThrows(IllegalStateException.class, () -> sender.claim(1, 4));
            sender.commit(offset, 5);
            ByteBuffer in = ByteBuffer.allocate(16);
            assertEquals(9, receiver.receive(in, Duration.ofSeconds(1)));
            assertEquals("hello", new String(in.array(), 0, in.position()));
            assertThrows(IllegalStateException.class, () -> sender.commit(offset, 5));
            int self = (int) ProcessHandle.current().pid();
            assertEquals(self, channel.senderPid());
            assertEquals(self, channel.receiverPid());
            long now = System.currentTimeMillis();
            assertTrue(channel.senderHeartbeatMillis() > now - 60_000 && channel.senderHeartbeatMillis() <= now);
            assertTrue(channel.receiverHeartbeatMillis() > now - 60_000 && channel.receiverHeartbeatMillis() <= now);
        }
    }

    @Test
    void aForeignOrCorruptRegionIsAClearError() throws Exception {
        try (SharedMemory foreign = SharedMemory.create(name, 8192)) {
            var e = assertThrows(ChannelFormatException.class, () -> OneToOneChannel.open(name));
            assertEquals(name + " is not an ipc4j channel (magic 0x0): another program's shared memory, or a channel "
                    + "still being created", e.getMessage());
            assertTrue(foreign.unlink());
        }
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             SharedMemory raw = SharedMemory.open(name)) {
            raw.buffer().putInt(8, 99);
            assertEquals(name + " is a channel of version 99, kind 1; this ipc4j reads version 4, kind 1 (one-to-one)",
                    assertThrows(ChannelFormatException.class, () -> OneToOneChannel.open(name)).getMessage());
            raw.buffer().putInt(8, 4); // the right version again
            raw.buffer().putLong(16, 3000);
            assertEquals(name + " has a corrupt header: capacity 3000, length 4608, region 4608 bytes",
                    assertThrows(ChannelFormatException.class, () -> OneToOneChannel.open(name)).getMessage());
            assertEquals(4096, channel.capacity());
        }
        assertThrows(IllegalArgumentException.class, () -> OneToOneChannel.create(name, 3000));
    }

    /**
     * With no spinning, nearly every receive sleeps, on two CPUs: up to 40,000 sleeps, each to be ended by the
     * peer's send, none running out with a message waiting, with fenceless senders. The store-load race the
     * fences exist for is a few nanoseconds wide, too narrow to provoke on purpose (20,000 round trips without
     * the receiver's membarrier lost no wake-up here either); why none is lost is argued in AsymmetricFence.
     */
    @Test
    void whenEveryReceiveSleepsEachIsWokenBySendsWithoutFences() throws Exception {
        int count = 20_000;
        List<List<String>> out = pingPong(count, child -> child.jvmOption("-Dio.ipc4j.channel.spins=0")
                        .jvmOption("-Dio.ipc4j.channel.slowFenceNanos=" + Long.MAX_VALUE).fullJit(), // never asks
                (a, b) -> {
                    for (OneToOneChannel channel : List.of(a, b)) {
                        assertEquals(1, channel.region.header.getInt(ChannelLayout.SENDER_FENCELESS_OFFSET),
                                "each sender registered for membarrier, so it published without a full fence");
                    }
                });
        assertEquals("spins 0", out.get(0).get(0));
        assertTrue(out.get(0).get(1).startsWith("round trips " + count + " crc "), out.toString());
        assertEquals("missed wake-ups 0", out.get(0).get(2));
        assertEquals(List.of("spins 0", "round trips " + count, "missed wake-ups 0"), out.get(1));
    }

    /**
     * Where the receiver finds membarrier slow (here every fence counts as slow), it asks its sender to fence
     * its own publishes; the sender does from its next one and says so, the receiver stops running membarrier,
     * and no sleep goes unwoken across the switch.
     */
    @Test
    void aReceiverThatFindsMembarrierSlowHasItsSenderFenceInstead() throws Exception {
        int count = 20_000;
        List<List<String>> out = pingPong(count, child -> child.jvmOption("-Dio.ipc4j.channel.spins=0")
                        .jvmOption("-Dio.ipc4j.channel.slowFenceNanos=-1").fullJit(),
                (a, b) -> {
                    for (OneToOneChannel channel : List.of(a, b)) {
                        assertEquals(ChannelLayout.SENDER_FENCED,
                                channel.region.header.getInt(ChannelLayout.SENDER_FENCELESS_OFFSET),
                                "each sender was asked to fence, and does");
                    }
                });
        assertTrue(out.get(0).get(1).startsWith("round trips " + count + " crc "), out.toString());
        assertEquals("missed wake-ups 0", out.get(0).get(2));
        assertEquals(List.of("spins 0", "round trips " + count, "missed wake-ups 0"), out.get(1));
    }

    @Test
    void onOneCpuNeitherSideSpinsAndRoundTripsStillComplete() throws Exception {
        int count = 2_000;
        List<List<String>> out = pingPong(count, child -> child.onCpus("0"), (a, b) -> { });
        CRC32C expected = new CRC32C();
        ByteBuffer message = ByteBuffer.allocate(64);
        for (int i = 0; i < count; i++) {
            ChannelChildren.fill(message, i, 64);
            expected.update(message);
        }
        assertEquals(List.of("spins 0", "round trips " + count + " crc " + expected.getValue(), "missed wake-ups 0"),
                out.get(0));
        int cpus = io.ipc4j.process.Affinity.processCpuCount();
        assertEquals(cpus > 1 ? 2_048 : 0, RingChannel.spinsBeforeSleeping(), "this JVM may use " + cpus + " CPUs");
    }

    /** What to check on the two channels after the exchange (their headers keep what the children wrote). */
    @FunctionalInterface
    private interface ChannelCheck {
        void check(OneToOneChannel ping, OneToOneChannel pong) throws Exception;
    }

    /**
     * Runs ChannelChildren.PingPong as an echo child and a client child over two channels this test creates;
     * returns the client's then the echo's output lines.
     */
    private List<List<String>> pingPong(int count, java.util.function.UnaryOperator<ChildJvm> options,
                                        ChannelCheck afterwards) throws Exception {
        String pong = name + "-pong";
        try (OneToOneChannel a = OneToOneChannel.create(name, 4096);
             OneToOneChannel b = OneToOneChannel.create(pong, 4096);
             ChildJvm.Running echo = options.apply(ChildJvm.of(ChannelChildren.PingPong.class, name, pong, "echo",
                     String.valueOf(count))).start();
             ChildJvm.Running client = options.apply(ChildJvm.of(ChannelChildren.PingPong.class, name, pong,
                     "client", String.valueOf(count))).start()) {
            ChildJvm.Result clientResult = client.finish(LIMIT);
            assertEquals(0, clientResult.status().code(), clientResult.describe());
            ChildJvm.Result echoResult = echo.finish(LIMIT);
            assertEquals(0, echoResult.status().code(), echoResult.describe());
            assertEquals(echo.pid(), a.receiverPid());
            assertEquals(client.pid(), b.receiverPid());
            afterwards.check(a, b);
            return List.of(clientResult.stdoutLines(), echoResult.stdoutLines());
        } finally {
            OneToOneChannel.unlink(pong);
        }
    }

    @Test
    void killingTheProducerMidStreamGivesTheConsumerADeadPeerErrorAfterEveryMessageItSent() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1 << 16);
             ChildJvm.Running producer = ChildJvm.of(ChannelChildren.EndlessProducer.class, name).start()) {
            RingReceiver receiver = channel.receiver();
            producer.awaitLine("streaming"::equals, LIMIT);
            ByteBuffer in = ByteBuffer.allocate(8);
            long expected = 0;
            for (; expected < 100_000; expected++) {
                receiver.receive(in.clear(), LIMIT);
                assertEquals(expected, in.getLong(0));
            }
            producer.process().kill();
            PeerDeadException dead = null;
            while (dead == null) {
                try {
                    receiver.receive(in.clear(), LIMIT);
                    assertEquals(expected++, in.getLong(0), "after the kill: what was committed, in order");
                } catch (PeerDeadException e) {
                    dead = e;
                }
            }
            assertTrue(dead.getMessage().contains("pid " + producer.pid() + ", died"), dead.getMessage());
        }
    }

    @Test
    void aParkedReceiverIsWokenByTheSenderInAnotherProcess() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             SharedMemory raw = SharedMemory.open(name)) {
            RingReceiver receiver = channel.receiver(); // SPIN_PARK, the default
            try (ChildJvm.Running child = ChildJvm.of(ChannelChildren.SendThenHang.class, name, "1").start()) {
                // The child JVM takes far longer to start than the receiver spins: it parks on the futex.
                ByteBuffer in = ByteBuffer.allocate(16);
                assertEquals(1, receiver.receive(in, LIMIT));
                assertEquals(0, in.get(0));
                assertTrue(raw.buffer().getIntVolatile(388) > 0, "the sender saw the receiver asleep and woke it "
                        + "(wake sequence " + raw.buffer().getIntVolatile(388) + ")");
                assertEquals(0, raw.buffer().getIntVolatile(384), "the receiver no longer announces a sleep");
                child.awaitLine("sent"::equals, LIMIT);
            }
        }
    }

    @Test
    void aReceiverLearnsThatTheSenderDiedAndASecondLiveSenderIsRefused() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             ChildJvm.Running child = ChildJvm.of(ChannelChildren.SendThenHang.class, name, "3").start()) {
            RingReceiver receiver = channel.receiver();
            child.awaitLine("sent"::equals, LIMIT);
            var refused = assertThrows(IllegalStateException.class, channel::sender);
            assertEquals(name + " already has a live sender: pid " + child.pid(), refused.getMessage());
            ByteBuffer in = ByteBuffer.allocate(16);
            for (int i = 0; i < 3; i++) {
                assertEquals(1, receiver.receive(in.clear(), LIMIT));
                assertEquals(i, in.get(0));
            }
            child.process().kill();
            var dead = assertThrows(PeerDeadException.class, () -> receiver.receive(in.clear(), LIMIT));
            assertEquals("receive(" + name + "): the sender, pid " + child.pid() + ", died and nothing is left to read",
                    dead.getMessage());
        }
    }

    /**
     * A strategy of the user's own, sleeping until woken (a futex sleep in shared memory): the wait calls reset
     * once, then idle until the deadline; a sleep it asks for through the Sleeper ends at the deadline, however
     * long it asked (10 s here, against a 50 ms timeout).
     */
    @Test
    void aUsersOwnIdleStrategyIsUsedAndItsSleepsEndAtTheDeadline() throws Exception {
        final class Counting implements IdleStrategy {
            int resets;
            int idles;
            int sleeps;

            @Override
            public void idle(Sleeper sleeper) throws java.io.IOException {
                idles++;
                if (idles > 10) {
                    sleeps++;
                    sleeper.sleep(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
                }
            }

            @Override
            public void reset() {
                resets++;
            }

            @Override
            public boolean sleepsUntilWoken() {
                return true;
            }
        }
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1024)) {
            Counting strategy = new Counting();
            RingReceiver receiver = channel.receiver().idleStrategy(strategy);
            IpcTimeoutException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
                    IpcTimeoutException.class, () -> receiver.receive(ByteBuffer.allocate(8), Duration.ofMillis(50))),
                    "a 10 s sleep asked for inside a 50 ms wait");
            assertEquals("receive(" + name + "): timed out after 50 ms", e.getMessage());
            assertEquals(1, strategy.resets);
            assertTrue(strategy.sleeps >= 1, "the strategy slept through the Sleeper: " + strategy.sleeps);
            OneToOneChannel.Sender sender = channel.sender();
            assertTrue(sender.offer(4, ByteBuffer.wrap(new byte[] {9})));
            assertEquals(4, receiver.receive(ByteBuffer.allocate(8), Duration.ofSeconds(5)));
            assertEquals(1, strategy.resets, "a message already there needs no wait");
        }
    }
}
