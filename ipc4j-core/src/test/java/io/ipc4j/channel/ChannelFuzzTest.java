package io.ipc4j.channel;

import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, bounded: random bytes written into a ring with messages waiting (through a second mapping, as
 * another process would) give messages or a ChannelFormatException, never another exception or a loop.
 */
class ChannelFuzzTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final int ROUNDS = 400;
    // small messages, so that random damage often lands on record headers
    private final String name = "/ipc4j-fuzz-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        OneToOneChannel.unlink(name);
    }

    @Test
    void corruptRingsGiveMessagesOrAFormatErrorAndNothingElse() throws Exception {
        SplittableRandom random = new SplittableRandom(16_09);
        int formatErrors = 0;
        for (int round = 0; round < ROUNDS; round++) {
            try (OneToOneChannel channel = OneToOneChannel.create(name, 4096);
                 SharedMemory other = SharedMemory.open(name)) {
                OneToOneChannel.Sender sender = channel.sender();
                RingReceiver receiver = channel.receiver();
                ByteBuffer out = ByteBuffer.allocate(channel.maxMessageLength());
                int sent = 0;
                while (sender.offer(random.nextInt(100), out.clear().limit(random.nextInt(33)))) {
                    sent++;
                }
                for (int d = random.nextInt(1, 8); d > 0; d--) {
                    long at = 512 + random.nextInt(4096 - 4);
                    other.segment().set(ValueLayout.JAVA_INT_UNALIGNED, at, random.nextInt());
                }
                ByteBuffer in = ByteBuffer.allocate(channel.maxMessageLength());
                try {
                    for (int i = 0; i <= sent + 1; i++) { // a ring this size never holds more than it was sent
                        if (random.nextBoolean()) {
                            receiver.receiveNow(in.clear());
                        } else {
                            receiver.poll((type, ring, offset, length) -> { }, 1);
                        }
                    }
                } catch (ChannelFormatException e) {
                    assertTrue(e.getMessage().startsWith(name + ": corrupt record at ring offset "), e.getMessage());
                    formatErrors++;
                }
            }
            OneToOneChannel.unlink(name);
        }
        assertTrue(formatErrors > ROUNDS / 4, "the fuzzer reached the checks: " + formatErrors + " format errors");
    }
}
