package io.ipc4j.kv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads an RDB snapshot, Redis's {@code dump.rdb}, as redis-server 7.0 writes it (RDB versions 1 to 11: strings
 * with their integer and LZF encodings; lists as quicklists of listpacks or plain; sets as intsets, listpacks
 * or tables; hashes and sorted sets as listpacks or tables; expiry times; databases), checking its CRC-64.
 * What ipc4j-kv does not have (streams, modules, the ziplist encodings of Redis before 7.0) stops the load
 * with a message that says so; functions (FUNCTION LOAD) are skipped with a warning, as there is no scripting.
 *
 * <p>Hostile input: the file is read whole, every length is checked against the bytes that remain before
 * anything is allocated for it, and any damage is one {@link CorruptLogException} naming the file, the byte
 * offset and what was wrong. Keys already expired are not loaded, as Redis does on a primary.
 */
final class RdbLoader {
    /** What a load found: keys loaded, and keys left out because they had expired. */
    record Result(long keys, long expired) {
    }

    private static final int MAX_VERSION = 11;

    private final Path file;
    private final byte[] in;
    private int at;
    private int version;

    private RdbLoader(Path file, byte[] in) {
        this.file = file;
        this.in = in;
    }

    /**
     * Loads {@code file} into {@code keyspace} (expected empty).
     *
     * @throws CorruptLogException if the file is damaged or holds what ipc4j-kv cannot load
     * @throws IOException         if it cannot be read
     */
    static Result load(Path file, Keyspace keyspace, long now) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new CorruptLogException("the RDB file " + file + " is " + size + " bytes; ipc4j-kv loads files"
                    + " of at most 2 GiB");
        }
        RdbLoader loader = new RdbLoader(file, Files.readAllBytes(file));
        try {
            return loader.loadInto(keyspace, now);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw loader.corrupt("it ends in the middle of a value");
        }
    }

    private Result loadInto(Keyspace keyspace, long now) throws CorruptLogException {
        version();
        Database db = keyspace.databases[0];
        long expireAt = 0;
        long keys = 0;
        long expired = 0;
        while (true) {
            int start = at;
            int type = u8();
            switch (type) {
                case 0xFF -> {
                    checksum(start);
                    return new Result(keys, expired);
                }
                case 0xFE -> {
                    long index = length();
                    if (index >= keyspace.databases.length) {
                        throw corrupt("it selects database " + index + ", and there are "
                                + keyspace.databases.length);
                    }
                    db = keyspace.databases[(int) index];
                }
                case 0xFD -> expireAt = le(4) * 1000;
                case 0xFC -> expireAt = le(8);
                case 0xFB -> {
                    length();
                    length();
                }
                case 0xFA -> {
                    string();
                    string();
                }
                case 0xF9 -> u8();
                case 0xF8 -> length();
                case 0xF5 -> {
                    string();
                    System.err.println("[ipc4j-kv] " + file + " holds a function library (FUNCTION LOAD): skipped,"
                            + " ipc4j-kv runs no scripts");
                }
                default -> {
                    byte[] name = string();
                    Object value = value(type);
                    Key key = new Key(name);
                    if (db.lookupQuietly(key, now) != null) {
                        at = start;
                        throw corrupt("key '" + key + "' is there twice");
                    }
                    if (expireAt != 0 && expireAt <= now) {
                        expired++;
                    } else {
                        Database.Entry e = db.put(key, value, false, now);
                        if (expireAt != 0) {
                            db.setExpiry(e, expireAt);
                        }
                        keys++;
                    }
                    expireAt = 0;
                }
            }
        }
    }

    private void version() throws CorruptLogException {
        if (in.length < 9 || !new String(in, 0, 5, StandardCharsets.US_ASCII).equals("REDIS")) {
            throw corrupt("it does not start with REDIS: not an RDB file");
        }
        String digits = new String(in, 5, 4, StandardCharsets.US_ASCII);
        version = digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : -1;
        if (version < 1 || version > MAX_VERSION) {
            throw corrupt("RDB version " + digits + ": ipc4j-kv reads versions 1 to " + MAX_VERSION
                    + " (Redis up to 7.2)");
        }
        at = 9;
    }

    /** The CRC-64 after EOF (RDB 5 and later), checked unless it is 0 (Redis's rdbchecksum no). */
    private void checksum(int eof) throws CorruptLogException {
        if (version < 5 && at == in.length) {
            return;
        }
        if (in.length - at < 8) {
            throw corrupt("its checksum is cut off");
        }
        long stored = le(8);
        long computed = Crc64.of(in, 0, eof + 1);
        if (stored != 0 && stored != computed) {
            at = eof + 1;
            throw corrupt(String.format("its CRC-64 is %016x, and the file's bytes give %016x", stored, computed));
        }
        if (at != in.length) {
            throw corrupt((in.length - at) + " bytes follow the end of the data");
        }
    }

    private Object value(int type) throws CorruptLogException {
        return switch (type) {
            case 0 -> string();
            case 1 -> list(strings(count()));
            case 2 -> set(strings(count()));
            case 3, 5 -> sortedSet(type);
            case 4 -> hash(strings(2 * count()));
            case 11 -> set(intset(string()));
            case 16 -> hash(listpack(string()));
            case 17 -> sortedSetFromPairs(listpack(string()));
            case 18 -> quicklist();
            case 20 -> set(listpack(string()));
            case 9, 10, 12, 13, 14 -> throw corrupt("a value in a ziplist encoding (type " + type + "), which Redis"
                    + " wrote before 7.0: load the file into Redis 7 and SAVE it again");
            case 6, 7 -> throw corrupt("a module's value: ipc4j-kv has no modules");
            case 15, 19, 21 -> throw corrupt("a stream: ipc4j-kv has no streams");
            default -> throw corrupt("value type " + type + " is not one Redis writes");
        };
    }

    private Object quicklist() throws CorruptLogException {
        long nodes = count();
        List<byte[]> elements = new ArrayList<>();
        for (long i = 0; i < nodes; i++) {
            long container = length();
            if (container == 1) {
                elements.add(string());
            } else if (container == 2) {
                elements.addAll(listpack(string()));
            } else {
                throw corrupt("quicklist container " + container + " (1 or 2 expected)");
            }
        }
        return list(elements);
    }

    private Object sortedSet(int type) throws CorruptLogException {
        long n = count();
        SortedSetValue z = new SortedSetValue();
        for (long i = 0; i < n; i++) {
            Key member = new Key(string());
            double score = type == 5 ? Double.longBitsToDouble(le(8)) : textScore();
            if (Double.isNaN(score) || !z.put(member, score)) {
                throw corrupt(Double.isNaN(score) ? "a score is NaN" : "member '" + member + "' is there twice");
            }
        }
        return nonEmpty(z);
    }

    /** RDB_TYPE_ZSET's score: a length byte (253 NaN, 254 +inf, 255 -inf), then that many characters. */
    private double textScore() throws CorruptLogException {
        int n = u8();
        return switch (n) {
            case 253 -> Double.NaN;
            case 254 -> Double.POSITIVE_INFINITY;
            case 255 -> Double.NEGATIVE_INFINITY;
            default -> {
                String text = new String(in, at, n, StandardCharsets.US_ASCII);
                at += n;
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw corrupt("score '" + text + "' is not a number");
                }
            }
        };
    }

    private Object sortedSetFromPairs(List<byte[]> pairs) throws CorruptLogException {
        if (pairs.size() % 2 != 0) {
            throw corrupt("a sorted set's listpack has an odd number of entries");
        }
        SortedSetValue z = new SortedSetValue();
        for (int i = 0; i < pairs.size(); i += 2) {
            double score;
            try {
                score = Numbers.parseDouble(pairs.get(i + 1));
            } catch (KvError e) {
                score = Double.NaN;
            }
            if (Double.isNaN(score) || !z.put(new Key(pairs.get(i)), score)) {
                throw corrupt("a sorted set's listpack has a bad score or a member twice");
            }
        }
        return nonEmpty(z);
    }

    private Object list(List<byte[]> elements) throws CorruptLogException {
        ListValue l = new ListValue();
        elements.forEach(l::addLast);
        return nonEmpty(l);
    }

    private Object set(List<byte[]> members) throws CorruptLogException {
        SetValue s = new SetValue();
        for (byte[] m : members) {
            if (!s.add(new Key(m))) {
                throw corrupt("set member '" + new Key(m) + "' is there twice");
            }
        }
        return nonEmpty(s);
    }

    private Object hash(List<byte[]> pairs) throws CorruptLogException {
        if (pairs.size() % 2 != 0) {
            throw corrupt("a hash's listpack has an odd number of entries");
        }
        HashValue h = new HashValue();
        for (int i = 0; i < pairs.size(); i += 2) {
            if (!h.put(new Key(pairs.get(i)), pairs.get(i + 1))) {
                throw corrupt("hash field '" + new Key(pairs.get(i)) + "' is there twice");
            }
        }
        return nonEmpty(h);
    }

    private Object nonEmpty(Aggregate value) throws CorruptLogException {
        if (value.isEmpty()) {
            throw corrupt("an empty " + value.type() + " (Redis never keeps one)");
        }
        return value;
    }

    private List<byte[]> strings(long n) throws CorruptLogException {
        List<byte[]> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(string());
        }
        return out;
    }

    /** A collection's element count: each element takes at least a byte, so no more than the bytes left. */
    private long count() throws CorruptLogException {
        long n = length();
        if (n > in.length - at) {
            throw corrupt("a count of " + n + " elements, with " + (in.length - at) + " bytes left");
        }
        return n;
    }

    /** A string: length-prefixed, or an integer (8, 16, 32 bits) or LZF-compressed one. */
    private byte[] string() throws CorruptLogException {
        int first = u8();
        if ((first & 0xC0) != 0xC0) {
            at--;
            return bytes(length());
        }
        return switch (first & 0x3F) {
            case 0 -> RdbBytes.decimal((byte) u8());
            case 1 -> RdbBytes.decimal((short) le(2));
            case 2 -> RdbBytes.decimal((int) le(4));
            case 3 -> lzf();
            default -> throw corrupt("string encoding " + (first & 0x3F) + " is not one Redis writes");
        };
    }

    private byte[] lzf() throws CorruptLogException {
        long compressed = length();
        long length = length();
        // a back reference of three bytes expands to at most 264: so no LZF string grows more than 88 times (and
        // the output is allocated as it is made, not as the header says)
        if (compressed > in.length - at || length > Integer.MAX_VALUE - 16 || length > compressed * 88L) {
            throw corrupt("an LZF string of " + compressed + " bytes said to expand to " + length);
        }
        byte[] out = Lzf.decompress(in, at, (int) compressed, (int) length);
        if (out == null) {
            throw corrupt("an LZF string does not expand to the " + length + " bytes it says");
        }
        at += (int) compressed;
        return out;
    }

    private byte[] bytes(long n) throws CorruptLogException {
        if (n > in.length - at) {
            throw corrupt("a string of " + n + " bytes, with " + (in.length - at) + " left");
        }
        byte[] out = java.util.Arrays.copyOfRange(in, at, at + (int) n);
        at += (int) n;
        return out;
    }

    /** RDB's length: 6 bits, 14 bits, or a 32- or 64-bit big-endian number after a marker byte. */
    private long length() throws CorruptLogException {
        int first = u8();
        return switch (first >> 6) {
            case 0 -> first & 0x3F;
            case 1 -> ((first & 0x3F) << 8) | u8();
            case 2 -> {
                if (first == 0x80) {
                    yield be(4);
                }
                if (first == 0x81) {
                    long n = be(8);
                    if (n < 0) {
                        throw corrupt("a length of " + Long.toUnsignedString(n));
                    }
                    yield n;
                }
                throw corrupt("length marker " + first + " is not one Redis writes");
            }
            default -> throw corrupt("an encoded string where a length belongs");
        };
    }

    private int u8() {
        return in[at++] & 0xFF;
    }

    private long le(int n) {
        long v = RdbBytes.littleEndian(in, at, n);
        at += n;
        return v;
    }

    private long be(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (in[at + i] & 0xFF);
        }
        at += n;
        return v;
    }

    /** An intset blob: its encoding (2, 4, 8 bytes), count, then the members, little-endian. */
    private List<byte[]> intset(byte[] blob) throws CorruptLogException {
        if (blob.length < 8) {
            throw corrupt("an intset of " + blob.length + " bytes");
        }
        long width = RdbBytes.littleEndian(blob, 0, 4);
        long n = RdbBytes.littleEndian(blob, 4, 4);
        if ((width != 2 && width != 4 && width != 8) || 8 + n * width != blob.length) {
            throw corrupt("an intset of " + n + " members of " + width + " bytes in " + blob.length + " bytes");
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(RdbBytes.decimal(RdbBytes.signedLittleEndian(blob, 8 + i * (int) width, (int) width)));
        }
        return out;
    }

    private List<byte[]> listpack(byte[] blob) throws CorruptLogException {
        List<byte[]> out = Listpack.entries(blob);
        if (out == null) {
            throw corrupt("a listpack that does not parse");
        }
        return out;
    }

    private CorruptLogException corrupt(String why) {
        return new CorruptLogException("the RDB file " + file + " cannot be loaded at byte " + at + ": " + why
                + ". Check it with redis-check-rdb " + file + ", or move it away to start with no data");
    }
}
