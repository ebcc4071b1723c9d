package io.ipc4j.channel;

import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #16.9: a ring written by something other than a sender is one ChannelFormatException naming the offset, at
 * once, never a raw InternalError or IndexOutOfBoundsException, nor a spin until the timeout. The corruption is
 * written through a second mapping of the region, as another process would.
 */
class CorruptChannelTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final int RING = 512; // the ring's first byte in the region (ChannelLayout.HEADER_LENGTH)
    private final String name = "/ipc4j-corrupt-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        OneToOneChannel.unlink(name);
    }

    @Test
    void aLengthNoSenderWritesIsAFormatErrorNamingTheOffset() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             SharedMemory other = SharedMemory.open(name)) {
            RingReceiver receiver = channel.receiver();
            channel.sender().send(7, ByteBuffer.wrap(new byte[] {1, 2, 3}), Duration.ofSeconds(1));
            other.segment().set(ValueLayout.JAVA_INT_UNALIGNED, RING, 0x7fffff00);
            ChannelFormatException e = assertThrows(ChannelFormatException.class,
                    () -> receiver.receive(ByteBuffer.allocate(channel.maxMessageLength()), Duration.ofSeconds(5)));
            assertTrue(e.getMessage().startsWith(name + ": corrupt record at ring offset 0 (byte 512 of the region):"
                    + " length 2147483392, type 7; a sender writes lengths of 8 to 512 bytes"), e.getMessage());
        }
    }

    @Test
    void aBroadcastPaddingOfLengthZeroIsAFormatErrorNotALoop() throws Exception {
        String log = name + "-log";
        try (BroadcastLog broadcast = BroadcastLog.create(log, 4096); SharedMemory other = SharedMemory.open(log)) {
            BroadcastLog.Receiver reader = broadcast.receiver();
            broadcast.sender().offer(7, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            other.segment().set(ValueLayout.JAVA_INT_UNALIGNED, RING, 0);      // length 0
            other.segment().set(ValueLayout.JAVA_INT_UNALIGNED, RING + 4, -1); // padding: the old reader looped
            ChannelFormatException e = assertThrows(ChannelFormatException.class,
                    () -> reader.receiveNow(ByteBuffer.allocate(broadcast.maxMessageLength())));
            assertTrue(e.getMessage().startsWith(log + ": corrupt record at ring offset 0: length 0, type -1;"),
                    e.getMessage());
        } finally {
            BroadcastLog.unlink(log);
        }
    }

    @Test
    void aNegativeTypeOtherThanPaddingIsAFormatError() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             SharedMemory other = SharedMemory.open(name)) {
            RingReceiver receiver = channel.receiver();
            channel.sender().send(7, ByteBuffer.wrap(new byte[] {1, 2, 3}), Duration.ofSeconds(1));
            other.segment().set(ValueLayout.JAVA_INT_UNALIGNED, RING + 4, -5);
            ChannelFormatException e = assertThrows(ChannelFormatException.class,
                    () -> receiver.poll((type, ring, offset, length) -> { }, 10));
            assertTrue(e.getMessage().contains(": length 11, type -5;"), e.getMessage());
        }
    }

    @Test
    void aCorruptPositionEndsASendersWaitAtTheNextCheckNotAtTheTimeout() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1024);
             SharedMemory other = SharedMemory.open(name)) {
            OneToOneChannel.Sender sender = channel.sender().idleStrategy(IdleStrategy.spinYield());
            channel.receiver(); // attached, never reading
            ByteBuffer message = ByteBuffer.allocate(64);
            while (sender.offer(1, message.clear())) {
                // fill the ring
            }
            other.segment().set(ValueLayout.JAVA_LONG, 256, -1_000_000L); // the receiver's head, far behind
            ChannelFormatException e = assertThrows(ChannelFormatException.class,
                    () -> sender.send(1, message.clear(), Duration.ofSeconds(60)));
            assertTrue(e.getMessage().startsWith(name + ": corrupt header: the receiver's position -1000000 is "),
                    e.getMessage());
        }
    }

    @Test
    void aRegionTruncatedUnderAWaitingReceiverIsOneClearError() throws Exception {
        try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
             SharedMemory other = SharedMemory.open(name)) {
            RingReceiver receiver = channel.receiver();
            java.util.concurrent.CompletableFuture<Throwable> outcome = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            receiver.receive(ByteBuffer.allocate(channel.maxMessageLength()), Duration.ofSeconds(60));
                            return null;
                        } catch (Throwable t) {
                            return t;
                        }
                    });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (other.segment().get(ValueLayout.JAVA_INT, 384) == 0) { // consumer waiting: it sleeps
                assertTrue(System.nanoTime() < deadline && !outcome.isDone(), "the receiver never slept");
                Thread.onSpinWait();
            }
            try (FileChannel file = FileChannel.open(Path.of("/dev/shm", name.substring(1)), StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            Throwable t = outcome.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(t instanceof ChannelFormatException, String.valueOf(t));
            assertEquals(name + ": the region was truncated under this process (now 0 bytes; the channel needs"
                    + " 4608): some other process shrank it; the channel cannot go on", t.getMessage());
        }
    }
}
