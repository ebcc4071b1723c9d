package io.ipc4j.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The chat's crash-safe log: memory-mapped segment files ({@code chat-000000.log}, ...) of records
 * {@code [u32 length][u32 CRC32C of the payload][payload: i64 millis, u16 nick length, nick, text]}, little
 * endian, after a 16-byte segment header ({@code IPC4JCHT}, version 1). A length of 0 marks the end.
 *
 * <h2>Durability contract</h2>
 * {@link #append} copies the record into the mapping before the server broadcasts it, so a message any
 * client has seen is in the page cache: a killed server (kill -9) loses nothing acknowledged, since the
 * kernel writes the pages back. A power cut can lose what was not yet written back, unless the log runs with
 * {@code fsync}, which forces every record to disk before it is broadcast (and costs a disk flush each).
 *
 * <h2>Recovery</h2>
 * {@link #open} reads every segment in order and stops at the first torn (length beyond the segment) or
 * corrupt (CRC mismatch) record: the rest of that segment is zeroed and later segments are deleted, and
 * {@link #recovery()} says what was cut. Not thread-safe: the server's loop thread owns it.
 */
public final class ChatLog implements AutoCloseable {
    static final long SEGMENT_BYTES = 16L << 20;
    private static final int HEADER = 16;
    private static final byte[] MAGIC = "IPC4JCHT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAX_PAYLOAD = 64 * 1024;

    private final Path directory;
    private final boolean fsync;
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    private MappedByteBuffer map;
    private int segment;
    private long records;
    private String recovery = "empty log";

    private ChatLog(Path directory, boolean fsync) {
        this.directory = directory;
        this.fsync = fsync;
    }

    /**
     * Opens (creating) the log in {@code directory}, recovers it, and hands every intact record to
     * {@code replay} in order.
     */
    public static ChatLog open(Path directory, boolean fsync, Consumer<ChatRecord> replay) throws IOException {
        Files.createDirectories(directory);
        ChatLog log = new ChatLog(directory, fsync);
        log.recover(replay);
        return log;
    }

    /** What recovery found: records read, and what it cut. */
    public String recovery() {
        return recovery;
    }

    /** Records in the log. */
    public long records() {
        return records;
    }

    /** Appends {@code r}; with fsync, it is on disk when this returns. */
    public void append(ChatRecord r) throws IOException {
        byte[] nick = r.sender().getBytes(StandardCharsets.UTF_8);
        byte[] text = r.text().getBytes(StandardCharsets.UTF_8);
        int payload = 8 + 2 + nick.length + text.length;
        if (payload > MAX_PAYLOAD) {
            throw new IllegalArgumentException("record of " + payload + " bytes: the most is " + MAX_PAYLOAD);
        }
        if (map.remaining() < 8 + payload + 8) {
            startSegment(segment + 1);
        }
        int at = map.position();
        map.position(at + 8);
        map.putLong(r.millis());
        map.putShort((short) nick.length);
        map.put(nick);
        map.put(text);
        crc.reset();
        crc.update(map.slice(at + 8, payload));
        map.putInt(at + 4, (int) crc.getValue());
        map.putInt(at, payload); // the length last: a reader never sees a record before its bytes
        records++;
        if (fsync) {
            map.force(at, 8 + payload);
        }
    }

    private void recover(Consumer<ChatRecord> replay) throws IOException {
        List<Path> segments = segments(directory);
        long intact = 0;
        String cut = null;
        for (int i = 0; i < segments.size(); i++) {
            int number = number(segments.get(i));
            openSegment(number, false);
            String problem = readSegment(segments.get(i), replay);
            intact = records;
            if (problem != null) {
                cut = problem;
                for (Path later : segments.subList(i + 1, segments.size())) {
                    Files.delete(later);
                    cut += "; deleted later segment " + later.getFileName();
                }
                break;
            }
        }
        if (map == null) {
            startSegment(0);
        }
        recovery = intact + " records recovered" + (cut == null ? "" : "; " + cut);
    }

    /** Reads records from the current mapping; returns what was cut, or null if the segment ended cleanly. */
    private String readSegment(Path file, Consumer<ChatRecord> replay) {
        Scan scan = scan(map, crc, r -> {
            records++;
            replay.accept(r);
        });
        if (scan.problem() != null) {
            zeroFrom(scan.end());
        }
        map.position(scan.end());
        return scan.problem() == null ? null
                : scan.problem() + " at byte " + scan.end() + " of " + file.getFileName() + ": truncated there";
    }

    /** Where a segment's intact records end, and why there (null: at the end marker or the segment's end). */
    private record Scan(int end, String problem) {
    }

    /** Hands every intact record of segment {@code m} to {@code each}, in order, up to the first bad one. */
    private static Scan scan(ByteBuffer m, CRC32C crc, Consumer<ChatRecord> each) {
        int at = HEADER;
        while (at + 8 <= m.capacity()) {
            int length = m.getInt(at);
            if (length == 0) {
                break;
            }
            if (length < 10 || length > MAX_PAYLOAD || at + 8 + length > m.capacity()) {
                return new Scan(at, "torn record (length " + length + ")");
            }
            crc.reset();
            crc.update(m.slice(at + 8, length));
            if ((int) crc.getValue() != m.getInt(at + 4)) {
                return new Scan(at, "corrupt record (CRC mismatch)");
            }
            long millis = m.getLong(at + 8);
            int nickLength = Short.toUnsignedInt(m.getShort(at + 16));
            byte[] nick = new byte[nickLength];
            m.get(at + 18, nick);
            byte[] text = new byte[length - 10 - nickLength];
            m.get(at + 18 + nickLength, text);
            each.accept(new ChatRecord(millis, new String(nick, StandardCharsets.UTF_8),
                    new String(text, StandardCharsets.UTF_8)));
            at += 8 + length;
        }
        return new Scan(at, null);
    }

    private void zeroFrom(int at) {
        for (int i = at; i < map.capacity(); i++) {
            map.put(i, (byte) 0);
        }
        map.force();
    }

    private void startSegment(int number) throws IOException {
        openSegment(number, true);
        map.put(0, MAGIC);
        map.putInt(8, VERSION);
        map.position(HEADER);
        map.force();
    }

    private void openSegment(int number, boolean create) throws IOException {
        closeMapping();
        Path file = directory.resolve(String.format("chat-%06d.log", number));
        channel = create ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE) : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (create) {
            channel.truncate(0);
            channel.write(ByteBuffer.allocate(1), SEGMENT_BYTES - 1); // sparse: zeros until written
        }
        if (channel.size() != SEGMENT_BYTES) {
            throw new IOException(file + " is " + channel.size() + " bytes, not a chat log segment of " + SEGMENT_BYTES);
        }
        map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT_BYTES);
        map.order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        map.get(0, magic);
        if (!create && (!java.util.Arrays.equals(magic, MAGIC) || map.getInt(8) != VERSION)) {
            throw new IOException(file + " is not an ipc4j chat log segment (bad magic or version)");
        }
        segment = number;
    }

    static List<Path> segments(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().matches("chat-\\d{6}\\.log")).sorted().toList();
        }
    }

    private static int number(Path segment) {
        String name = segment.getFileName().toString();
        return Integer.parseInt(name.substring(5, 11));
    }

    /** Every intact record of the log in {@code directory}, read-only (for {@code ipc4j chat log}). */
    public static List<ChatRecord> read(Path directory) throws IOException {
        List<ChatRecord> out = new ArrayList<>();
        for (Path file : segments(directory)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                m.order(ByteOrder.LITTLE_ENDIAN);
                if (scan(m, new CRC32C(), out::add).problem() != null) {
                    break;
                }
            }
        }
        return out;
    }

    private void closeMapping() throws IOException {
        if (map != null) {
            map.force();
            map = null;
        }
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeMapping();
    }
}
