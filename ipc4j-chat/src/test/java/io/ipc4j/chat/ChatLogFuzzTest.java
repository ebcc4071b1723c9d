package io.ipc4j.chat;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, bounded: random damage to a log (flipped bytes, zeroed stretches, a cut) never stops recovery
 * or reading, and every record the damage did not touch is recovered, in order, as far as the cut.
 */
class ChatLogFuzzTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final int ROUNDS = 60;
    private static final int RECORDS = 2_000;

    @AfterEach
    void removeLogs() throws IOException {
        ScratchFiles.deleteContents(LEAKS.scratch());
    }

    @Test
    void randomDamageCostsOnlyTheRecordsItTouches() throws Exception {
        SplittableRandom random = new SplittableRandom(16_08);
        for (int round = 0; round < ROUNDS; round++) {
            Path dir = LEAKS.scratch().resolve("log-" + round);
            List<long[]> spans = new ArrayList<>(); // [start, end) of each record
            long at = 16;
            try (ChatLog log = ChatLog.open(dir, false, false, r -> { })) {
                for (int i = 0; i < RECORDS; i++) {
                    String text = "m" + i + "-" + "x".repeat(random.nextInt(40));
                    log.append(new ChatRecord(i, "n", text));
                    long length = 8 + 8 + 2 + 1 + text.length();
                    spans.add(new long[] {at, at + length});
                    at += length;
                }
            }
            Path segment = dir.resolve("chat-000000.log");
            List<long[]> damaged = new ArrayList<>();
            long cut = Long.MAX_VALUE;
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                for (int d = random.nextInt(1, 6); d > 0; d--) {
                    long start = 16 + random.nextLong(at - 16);
                    int length = random.nextInt(1, 64);
                    byte[] junk = new byte[length];
                    if (random.nextBoolean()) {
                        random.nextBytes(junk); // else zeros
                    }
                    file.write(ByteBuffer.wrap(junk), start);
                    damaged.add(new long[] {start, start + length});
                }
                if (random.nextInt(4) == 0) {
                    cut = 16 + random.nextLong(at - 16);
                    file.truncate(cut);
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                long[] span = spans.get(i);
                boolean touched = span[1] > cut || damaged.stream().anyMatch(d -> d[0] < span[1] && span[0] < d[1]);
                if (!touched) {
                    expected.add("m" + i + "-");
                }
            }
            List<String> read = ChatLog.read(dir).records().stream().map(r -> r.text().replaceAll("x*$", "")).toList();
            assertTrue(read.containsAll(expected), "round " + round + ": read lost intact records");
            List<String> recovered = new ArrayList<>();
            try (ChatLog log = ChatLog.open(dir, false, false, r -> recovered.add(r.text().replaceAll("x*$", "")))) {
                assertTrue(log.records() >= expected.size());
            }
            assertTrue(recovered.containsAll(expected), "round " + round + ": recovery lost intact records");
            assertEquals(recovered.stream().filter(expected::contains).toList(), expected, "round " + round
                    + ": order");
        }
    }
}
