package io.ipc4j.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The chat's crash-safe log: memory-mapped segment files ({@code chat-000000.log}, ...) of records
 * {@code [u32 length][u32 CRC32C of the payload][payload: i64 millis, u16 nick length, nick, text]}, little
 * endian, after a 16-byte segment header ({@code IPC4JCHT}, version 1). A length of 0 followed only by zeros
 * marks the end.
 *
 * <h2>Durability contract</h2>
 * {@link #append} copies the record into the mapping before the server broadcasts it, so a message any
 * client has seen is in the page cache: a killed server (kill -9) loses nothing acknowledged, since the
 * kernel writes the pages back. A power cut can lose what was not yet written back, unless the log runs with
 * {@code fsync}, which forces every record to disk before it is broadcast (and costs a disk flush each).
 *
 * <h2>Privacy</h2>
 * The directory is mode 0700 and its files 0600 (0750 and 0640 when the group may read: {@code groupReadable}),
 * whatever the umask; an existing directory more open than that, or another user's, is refused with the
 * command that fixes it. Only the directory's last level is created.
 *
 * <h2>Recovery</h2>
 * {@link #open} reads every segment in order. A damaged stretch (a torn or corrupt record, or bytes that are
 * no record) is skipped: reading resumes at the next valid record (a length that fits and a matching CRC),
 * so every intact record after damage is kept. Each skip is reported with its segment and offset in
 * {@link #recovery()}. Damage at a segment's end (nothing valid after it) is zeroed there; a segment cut
 * short (a truncated file) is extended with zeros to its full size. Not thread-safe: the server's loop
 * thread owns it.
 */
public final class ChatLog implements AutoCloseable {
    static final long SEGMENT_BYTES = 16L << 20;
    private static final int HEADER = 16;
    private static final byte[] MAGIC = "IPC4JCHT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAX_PAYLOAD = 64 * 1024;
    private static final int MIN_PAYLOAD = 10;

    private final Path directory;
    private final boolean fsync;
    private final Set<PosixFilePermission> fileMode;
    private final CRC32C crc = new CRC32C();
    private FileChannel channel;
    private MappedByteBuffer map;
    private int segment;
    private long records;
    private String recovery = "empty log";

    /**
     * What a log holds: its intact records, and each stretch of damage skipped to reach them.
     *
     * @param records every intact record, in order.
     * @param damage  one line per skip: segment, offset, length, and what was wrong; empty if none.
     */
    public record Contents(List<ChatRecord> records, List<String> damage) {
    }

    private ChatLog(Path directory, boolean fsync, boolean groupReadable) {
        this.directory = directory;
        this.fsync = fsync;
        this.fileMode = PosixFilePermissions.fromString(groupReadable ? "rw-r-----" : "rw-------");
    }

    /**
     * Opens (creating its last level) the log in {@code directory}, recovers it, and hands every intact record
     * to {@code replay} in order.
     *
     * @param directory where the segments are kept
     * @param fsync whether each record is forced to disk before {@link #append} returns
     * @param replay called with each record recovered, oldest first
     * @param groupReadable let the directory's group read the log (0750/0640 instead of 0700/0600).
     * @return the {@code ChatLog}
     * @throws IOException if the directory is more open than that, another user's, or its parent is missing.
     */
    public static ChatLog open(Path directory, boolean fsync, boolean groupReadable, Consumer<ChatRecord> replay)
            throws IOException {
        PrivateDirectory.prepare(directory, groupReadable, "chat log directory", "--group");
        ChatLog log = new ChatLog(directory, fsync, groupReadable);
        log.recover(replay);
        return log;
    }

    /**
     * What recovery found: records read, and every stretch of damage it skipped.
     *
     * @return what recovery found: records read, and every stretch of damage it skipped
     */
    public String recovery() {
        return recovery;
    }

    /**
     * Records in the log.
     *
     * @return records in the log
     */
    public long records() {
        return records;
    }

    /**
     * Appends {@code r}; with fsync, it is on disk when this returns.
     *
     * @param r the record
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
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
        List<String> damage = new ArrayList<>();
        for (Path file : segments(directory)) {
            long size = Files.size(file);
            if (size < SEGMENT_BYTES && size >= HEADER) {
                damage.add(file.getFileName() + " was " + size + " bytes, cut short of " + SEGMENT_BYTES
                        + ": extended with zeros (anything past byte " + size + " was lost)");
            }
            openSegment(number(file), false);
            Scan scan = scan(map, crc, file.getFileName().toString(), r -> {
                records++;
                replay.accept(r);
            });
            damage.addAll(scan.damage());
            if (scan.damagedTail()) {
                zeroFrom(scan.end());
            }
            map.position(scan.end());
        }
        if (map == null) {
            startSegment(0);
        }
        recovery = records + " records recovered" + (damage.isEmpty() ? "" : "; " + String.join("; ", damage));
    }

    /**
     * Where a segment's intact records end, each stretch of damage skipped, and whether the segment ends in
     * damage (zeroed by a writer).
     */
    private record Scan(int end, List<String> damage, boolean damagedTail) {
    }

    /** Hands every intact record of segment {@code m} to {@code each}, in order, skipping damage. */
    private static Scan scan(ByteBuffer m, CRC32C crc, String name, Consumer<ChatRecord> each) {
        List<String> damage = new ArrayList<>();
        int at = HEADER;
        int end = HEADER;
        while (at + 8 <= m.capacity()) {
            String problem = problemAt(m, crc, at);
            if (problem == null) {
                each.accept(record(m, at));
                at += 8 + m.getInt(at);
                end = at;
                continue;
            }
            if (m.getInt(at) == 0 && zerosFrom(m, at)) {
                return new Scan(end, damage, false);
            }
            int next = nextValid(m, crc, at + 1);
            if (next < 0) {
                damage.add(name + ": damage from byte " + at + " to the segment's end (" + problem + "); zeroed"
                        + " there");
                return new Scan(end, damage, true);
            }
            damage.add(name + ": skipped " + (next - at) + " damaged bytes at byte " + at + " (" + problem
                    + "); resumed at byte " + next);
            at = next;
        }
        return new Scan(end, damage, false);
    }

    /** Why the bytes at {@code at} are not a valid record, or null if they are one. */
    private static String problemAt(ByteBuffer m, CRC32C crc, int at) {
        int length = m.getInt(at);
        if (length < MIN_PAYLOAD || length > MAX_PAYLOAD || at + 8L + length > m.capacity()) {
            return "torn record (length " + length + ")";
        }
        crc.reset();
        crc.update(m.slice(at + 8, length));
        if ((int) crc.getValue() != m.getInt(at + 4)) {
            return "corrupt record (CRC mismatch)";
        }
        int nickLength = Short.toUnsignedInt(m.getShort(at + 16));
        return nickLength > length - MIN_PAYLOAD ? "corrupt record (nick length " + nickLength + ")" : null;
    }

    /** The first offset from {@code from} on where a valid record starts, or -1. */
    private static int nextValid(ByteBuffer m, CRC32C crc, int from) {
        for (int at = from; at + 8 + MIN_PAYLOAD <= m.capacity(); at++) {
            int length = m.getInt(at);
            if (length >= MIN_PAYLOAD && length <= MAX_PAYLOAD && problemAt(m, crc, at) == null) {
                return at;
            }
        }
        return -1;
    }

    private static boolean zerosFrom(ByteBuffer m, int at) {
        int i = at;
        for (; i + 8 <= m.capacity(); i += 8) {
            if (m.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < m.capacity(); i++) {
            if (m.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static ChatRecord record(ByteBuffer m, int at) {
        int length = m.getInt(at);
        long millis = m.getLong(at + 8);
        int nickLength = Short.toUnsignedInt(m.getShort(at + 16));
        byte[] nick = new byte[nickLength];
        m.get(at + 18, nick);
        byte[] text = new byte[length - MIN_PAYLOAD - nickLength];
        m.get(at + 18 + nickLength, text);
        return new ChatRecord(millis, new String(nick, StandardCharsets.UTF_8), new String(text, StandardCharsets.UTF_8));
    }

    private void zeroFrom(int at) {
        for (int i = at; i < map.capacity(); i++) {
            map.put(i, (byte) 0);
        }
        map.force();
    }

    /**
     * Starts segment {@code number} and moves appends to it. The segment left behind is not forced: without
     * fsync the contract is the page cache's, and with fsync its every record was forced already (forcing its
     * 16 MiB here stalled the server's loop 35-190 ms at each roll-over on this project's VM). With fsync, the
     * new file's header and its directory entry are forced, so that its records survive a power cut as theirs do.
     */
    private void startSegment(int number) throws IOException {
        openSegment(number, true);
        map.put(0, MAGIC);
        map.putInt(8, VERSION);
        map.position(HEADER);
        if (fsync) {
            map.force(0, HEADER);
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }

    private void openSegment(int number, boolean create) throws IOException {
        closeMapping();
        Path file = directory.resolve(String.format("chat-%06d.log", number));
        if (create) {
            channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(fileMode));
            Files.setPosixFilePermissions(file, fileMode); // whatever the umask took away or left
        } else {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        long size = channel.size();
        if (size > SEGMENT_BYTES || (!create && size < HEADER)) {
            throw new IOException(file + " is " + size + " bytes: not a chat log segment (" + SEGMENT_BYTES
                    + " bytes with a " + HEADER + "-byte header); move it out of the log directory");
        }
        if (size < SEGMENT_BYTES) {
            channel.write(ByteBuffer.allocate(1), SEGMENT_BYTES - 1); // sparse: zeros until written
        }
        map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT_BYTES);
        map.order(ByteOrder.LITTLE_ENDIAN);
        if (!create && !validHeader(map)) {
            throw new IOException(file + " is not an ipc4j chat log segment (bad magic or version); move it out of"
                    + " the log directory");
        }
        segment = number;
    }

    private static boolean validHeader(ByteBuffer m) {
        byte[] magic = new byte[8];
        m.get(0, magic);
        return java.util.Arrays.equals(magic, MAGIC) && m.getInt(8) == VERSION;
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

    /**
     * Every intact record of the log in {@code directory}, read-only (for {@code ipc4j chat log}), and every
     * stretch of damage skipped. Changes nothing on disk.
     *
     * @param directory the directory
     * @return every intact record of the log in {@code directory}, read-only
     * @throws NoSuchFileException if there is no such directory.
     */
    public static Contents read(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "no chat log directory there");
        }
        List<ChatRecord> out = new ArrayList<>();
        List<String> damage = new ArrayList<>();
        for (Path file : segments(directory)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                if (ch.size() < HEADER) {
                    damage.add(file.getFileName() + ": only " + ch.size() + " bytes, no segment header");
                    continue;
                }
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                m.order(ByteOrder.LITTLE_ENDIAN);
                if (!validHeader(m)) {
                    damage.add(file.getFileName() + ": not a chat log segment (bad magic or version)");
                    continue;
                }
                if (ch.size() < SEGMENT_BYTES) {
                    damage.add(file.getFileName() + ": cut short at " + ch.size() + " bytes of " + SEGMENT_BYTES);
                }
                damage.addAll(scan(m, new CRC32C(), file.getFileName().toString(), out::add).damage());
            }
        }
        return new Contents(out, damage);
    }

    private void closeMapping() throws IOException {
        map = null;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Forces the current segment to disk (a clean stop leaves the log there), then releases it. */
    @Override
    public void close() throws IOException {
        if (map != null) {
            map.force();
        }
        closeMapping();
    }
}
