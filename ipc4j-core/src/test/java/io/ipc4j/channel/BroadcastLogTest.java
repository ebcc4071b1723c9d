package io.ipc4j.channel;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broadcast log: readers at their own pace, overruns reported, never a torn or overwritten record. */
class BroadcastLogTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(120);
    private final String name = "/ipc4j-broadcast-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        BroadcastLog.unlink(name);
    }

    @Test
    void aReaderThatFellBehindLearnsHowMuchItLostAndReadsOnlyIntactRecords() throws Exception {
        try (BroadcastLog log = BroadcastLog.create(name, 4096)) {
            BroadcastLog.Receiver slow = log.receiver();
            BroadcastLog.Sender writer = log.sender();
            ByteBuffer out = ByteBuffer.allocate(16);
            for (long seq = 0; seq < 1000; seq++) {
                writer.offer(1, out.clear().putLong(seq).putLong(seq * 31).flip());
            }
            ByteBuffer in = ByteBuffer.allocate(16);
            long previous = -1;
            int read = 0;
            while (slow.receiveNow(in.clear()) != Integer.MIN_VALUE) {
                long seq = in.getLong(0);
                assertEquals(seq * 31, in.getLong(8), "record " + seq + " is intact");
                assertTrue(seq > previous, "in order");
                previous = seq;
                read++;
            }
            assertEquals(999, previous, "the reader rejoins at the latest record");
            assertEquals(1, read);
            assertEquals(1, slow.lappedCount());
            // The 999 records of 24 bytes it never saw, plus the padding at each of the 5 wraps (< 24 bytes each).
            long lost = slow.lostBytes();
            assertTrue(lost >= 999 * 24L && lost < 999 * 24L + 5 * 24, "lost " + lost + " bytes");
        }
    }

    @Test
    void readersInAnotherProcessesPaceSeeAnIncreasingIntactStream() throws Exception {
        long count = 300_000;
        try (BroadcastLog log = BroadcastLog.create(name, 1 << 16)) {
            BroadcastLog.Receiver reader = log.receiver();
            try (ChildJvm.Running writer = ChildJvm.of(ChannelChildren.Broadcaster.class, name, "" + count).start()) {
                ByteBuffer in = ByteBuffer.allocate(16);
                long previous = -1;
                long read = 0;
                while (previous < count - 1) {
                    assertEquals(3, reader.receive(in.clear(), LIMIT));
                    long seq = in.getLong(0);
                    assertEquals(seq * 31, in.getLong(8), "record " + seq + " is intact");
                    assertTrue(seq > previous, "in order: " + seq + " after " + previous);
                    previous = seq;
                    read++;
                }
                assertEquals("transmitted " + count, writer.finish(LIMIT).stdout().strip());
                assertTrue(read == count || reader.lappedCount() > 0, "read " + read + " of " + count + ", lapped "
                        + reader.lappedCount() + " times: a gap without an overrun report would be a loss");
            }
        }
    }

    @Test
    void reusedAndChangingBuffersSendAndReceiveTheirOwnPositions() throws Exception {
        try (BroadcastLog log = BroadcastLog.create(name, 4096)) {
            BroadcastLog.Sender writer = log.sender();
            BroadcastLog.Receiver reader = log.receiver();
            BufferPositions.check((type, message) -> writer.offer(type, message), reader::receiveNow);
        }
    }

    @Test
    void oneLiveWriterAndTheKindIsChecked() throws Exception {
        try (BroadcastLog log = BroadcastLog.create(name, 4096)) {
            log.sender();
            assertEquals(name + " is a channel of version 4, kind 3; this ipc4j reads version 4, kind 1 (one-to-one)",
                    assertThrows(ChannelFormatException.class, () -> OneToOneChannel.open(name)).getMessage());
            try (BroadcastLog again = BroadcastLog.open(name)) {
                assertEquals(504, again.maxMessageLength());
            }
        }
    }
}
