package io.ipc4j.chat;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** #16.4 and #16.8: the log is private whatever the umask, and damage costs only the damaged records. */
class ChatLogDamageTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final int RECORDS = 56_066;

    @AfterEach
    void removeLogs() throws IOException {
        ScratchFiles.deleteContents(LEAKS.scratch());
    }

    /** Writes RECORDS records "message N" and returns the byte offset of each. */
    private static long[] write(Path dir) throws IOException {
        long[] offsets = new long[RECORDS];
        long at = 16;
        try (ChatLog log = ChatLog.open(dir, false, false, r -> { })) {
            for (int i = 0; i < RECORDS; i++) {
                ChatRecord r = new ChatRecord(1_700_000_000_000L + i, "nick", "message " + i);
                log.append(r);
                offsets[i] = at;
                at += 8 + 8 + 2 + 4 + ("message " + i).length();
            }
        }
        return offsets;
    }

    private static List<String> texts(Path dir, StringBuilder recovery) throws IOException {
        List<String> texts = new ArrayList<>();
        try (ChatLog log = ChatLog.open(dir, false, false, r -> texts.add(r.text()))) {
            recovery.append(log.recovery());
        }
        return texts;
    }

    @Test
    void aCorruptRecordIsSkippedAndEveryIntactRecordAfterItKept() throws Exception {
        // #16.8: four bytes flipped in record 30,000 of 56,066 truncated the 26,066 intact records after it
        Path dir = LEAKS.scratch().resolve("log");
        long[] offsets = write(dir);
        Path segment = dir.resolve("chat-000000.log");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}),
                    offsets[30_000] + 12);
        }
        ChatLog.Contents read = ChatLog.read(dir);
        assertEquals(RECORDS - 1, read.records().size());
        assertEquals(List.of("chat-000000.log: skipped " + (offsets[30_001] - offsets[30_000]) + " damaged bytes at"
                + " byte " + offsets[30_000] + " (corrupt record (CRC mismatch)); resumed at byte " + offsets[30_001]),
                read.damage());
        StringBuilder recovery = new StringBuilder();
        List<String> texts = texts(dir, recovery);
        assertEquals(RECORDS - 1, texts.size(), recovery.toString());
        assertEquals("message 29999", texts.get(29_999));
        assertEquals("message 30001", texts.get(30_000));
        assertEquals("message " + (RECORDS - 1), texts.getLast());
        assertTrue(recovery.toString().startsWith((RECORDS - 1) + " records recovered; chat-000000.log: skipped "),
                recovery.toString());
        // appends go on after the last record, and the damage is still reported, not hidden
        try (ChatLog log = ChatLog.open(dir, false, false, r -> { })) {
            log.append(new ChatRecord(1, "late", "after the damage"));
        }
        ChatLog.Contents again = ChatLog.read(dir);
        assertEquals("after the damage", again.records().getLast().text());
        assertEquals(RECORDS, again.records().size());
        assertEquals(1, again.damage().size());
    }

    @Test
    void aSegmentCutShortIsRecoveredNotRefused() throws Exception {
        // #16.8: a segment truncated to 1,000,000 bytes stopped the server from starting
        Path dir = LEAKS.scratch().resolve("log");
        long[] offsets = write(dir);
        Path segment = dir.resolve("chat-000000.log");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(1_000_000);
        }
        int whole = 0;
        while (whole < RECORDS && offsets[whole] + 8 + 8 + 2 + 4 + ("message " + whole).length() <= 1_000_000) {
            whole++;
        }
        ChatLog.Contents read = ChatLog.read(dir);
        assertEquals(whole, read.records().size());
        assertEquals("chat-000000.log: cut short at 1000000 bytes of 16777216", read.damage().getFirst());
        assertTrue(read.damage().get(1).startsWith("chat-000000.log: damage from byte " + offsets[whole]
                + " to the segment's end (torn record"), read.damage().toString());
        StringBuilder recovery = new StringBuilder();
        List<String> texts = texts(dir, recovery);
        assertEquals(whole, texts.size(), recovery.toString());
        assertTrue(recovery.toString().contains("chat-000000.log was 1000000 bytes, cut short of 16777216: extended"
                + " with zeros"), recovery.toString());
        assertEquals(16L << 20, Files.size(segment), "extended to a whole segment, so appends go on");
        assertEquals(List.of(), ChatLog.read(dir).damage(), "the torn tail was zeroed by recovery");
    }

    @Test
    void theLogIsPrivateWhateverTheUmaskAndAnOpenDirectoryIsRefused() throws Exception {
        // #16.4: the log directory was 0755 and its segments 0644, so any local user could read every message
        Path dir = LEAKS.scratch().resolve("private");
        try (ChatLog log = ChatLog.open(dir, false, false, r -> { })) {
            log.append(new ChatRecord(1, "a", "secret"));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dir.resolve("chat-000000.log"))));

        Path shared = LEAKS.scratch().resolve("group");
        try (ChatLog log = ChatLog.open(shared, false, true, r -> { })) {
            log.append(new ChatRecord(1, "a", "for the group"));
        }
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                shared.resolve("chat-000000.log"))));

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException open = assertThrows(IOException.class, () -> ChatLog.open(dir, false, false, r -> { }));
        assertEquals("the chat log directory " + dir + " has mode rwxr-xr-x, open to other users, who could read it:"
                + " chmod 700 " + dir + " (or 750 with --group to let the group read it)", open.getMessage());

        Path deep = LEAKS.scratch().resolve("missing/deeper/log");
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> ChatLog.open(deep, false, false, r -> { }));
        assertTrue(missing.getMessage().contains("its parent " + deep.getParent() + " does not exist. Create the"
                + " parent first (mkdir -p " + deep.getParent() + ")"), missing.getMessage());
        assertFalse(Files.exists(LEAKS.scratch().resolve("missing")), "#16.13: no tree is created");
    }
}
