package io.ipc4j.chat;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A log longer than one segment: appends move on to the next segment file, and every record survives the writer's
 * crash. Segments are no longer forced to disk when appends move on (that stalled the server for up to 190 ms), so
 * the killed writer's records are in the page cache only: the kernel keeps them, as the durability contract says.
 */
class ChatLogSegmentsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /** Records of about 1 KiB: 40,000 of them fill two 16 MiB segments and part of a third. */
    private static final int RECORDS = 40_000;

    @AfterEach
    void removeLogs() throws IOException {
        ScratchFiles.deleteContents(LEAKS.scratch());
    }

    @Test
    void recordsPastASegmentSurviveTheWritersCrashInOrder() throws Exception {
        Path dir = LEAKS.scratch().resolve("log");
        ChildJvm.Result writer = ChildJvm.of(CrashingWriter.class, dir.toString(), String.valueOf(RECORDS))
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(List.of("appended " + RECORDS), writer.stdoutLines(), writer.describe());
        assertEquals(9, writer.status().code(), "halted, not closed: " + writer.describe());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("chat-000000.log", "chat-000001.log", "chat-000002.log"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        ChatLog.Contents read = ChatLog.read(dir);
        assertEquals(List.of(), read.damage());
        assertEquals(RECORDS, read.records().size());
        for (int i = 0; i < RECORDS; i++) {
            assertEquals(text(i), read.records().get(i).text(), "record " + i);
        }
        StringBuilder recovered = new StringBuilder();
        try (ChatLog log = ChatLog.open(dir, false, false, r -> recovered.append('.'))) {
            assertEquals(RECORDS, recovered.length(), log.recovery());
            log.append(new ChatRecord(1, "nick", "after the crash")); // appends go on in the last segment
        }
        assertEquals("after the crash", ChatLog.read(dir).records().getLast().text());
    }

    static String text(int i) {
        return i + " " + "x".repeat(1000);
    }

    /** Appends {@code COUNT} records to the log in {@code DIR}, then halts without closing it (a crash). */
    public static final class CrashingWriter {
        private CrashingWriter() {
        }

        public static void main(String[] args) throws Exception {
            int count = Integer.parseInt(args[1]);
            ChatLog log = ChatLog.open(Path.of(args[0]), false, false, r -> { });
            for (int i = 0; i < count; i++) {
                log.append(new ChatRecord(1_700_000_000_000L + i, "nick", text(i)));
            }
            System.out.println("appended " + count);
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }
}
