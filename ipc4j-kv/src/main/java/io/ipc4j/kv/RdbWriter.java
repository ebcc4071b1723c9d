package io.ipc4j.kv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Writes an RDB snapshot that redis-server 7 loads (RDB version 10), in the plain forms every Redis since 2.x
 * reads: strings as length-prefixed bytes, lists, sets and hashes as counts of strings, sorted sets with binary
 * doubles (ZSET_2); expiry times in milliseconds; a SELECTDB before each database's keys; the CRC-64 at the end.
 * Redis re-encodes small values as listpacks as it loads them. Not thread-safe.
 */
final class RdbWriter {
    private static final int TYPE_STRING = 0;
    private static final int TYPE_LIST = 1;
    private static final int TYPE_SET = 2;
    private static final int TYPE_HASH = 4;
    private static final int TYPE_ZSET_2 = 5;

    private final OutputStream out;
    private long crc;
    private int db = -1;
    private final byte[] one = new byte[1];

    /** Starts a snapshot on {@code out}: the header and the fields Redis itself writes first. */
    RdbWriter(OutputStream out) throws IOException {
        this.out = out;
        raw("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        aux("redis-ver", KvServer.VERSION);
        aux("redis-bits", "64");
        aux("ipc4j-kv", "0.1.0");
    }

    /** Writes one key: its database (a SELECTDB when it changes), expiry, type, name and value. */
    void key(AofSnapshot.Item item) throws IOException {
        if (item.db() != db) {
            db = item.db();
            u8(0xFE);
            length(db);
        }
        if (item.expireAt() != 0) {
            u8(0xFC);
            le(item.expireAt(), 8);
        }
        switch (item.value()) {
            case byte[] s -> {
                u8(TYPE_STRING);
                string(item.key());
                string(s);
            }
            case FrozenAggregate a -> {
                u8(switch (a.kind) {
                    case LIST -> TYPE_LIST;
                    case SET -> TYPE_SET;
                    case HASH -> TYPE_HASH;
                    case SORTED_SET -> TYPE_ZSET_2;
                });
                string(item.key());
                length(a.size());
                if (a.kind == FrozenAggregate.Kind.LIST) {
                    for (Iterator<byte[]> elements = a.listElements(); elements.hasNext(); ) {
                        string(elements.next());
                    }
                    return;
                }
                for (int i = 0; i < a.strings.length; i++) {
                    string(a.strings[i]);
                    if (a.scores != null) {
                        le(Double.doubleToLongBits(a.scores[i]), 8);
                    }
                }
            }
            default -> throw new IllegalStateException("a value of unknown type: " + item.value().getClass());
        }
    }

    /** Ends the snapshot: EOF and the CRC-64 of everything before it. */
    void finish() throws IOException {
        u8(0xFF);
        long sum = crc;
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (sum >>> (8 * i));
        }
        out.write(b);
        out.flush();
    }

    private void aux(String name, String value) throws IOException {
        u8(0xFA);
        string(name.getBytes(StandardCharsets.US_ASCII));
        string(value.getBytes(StandardCharsets.US_ASCII));
    }

    private void string(byte[] s) throws IOException {
        length(s.length);
        raw(s);
    }

    /** RDB's length: 6 bits, 14 bits, or 32 bits big-endian after 0x80. */
    private void length(long n) throws IOException {
        if (n < 1 << 6) {
            u8((int) n);
        } else if (n < 1 << 14) {
            u8(0x40 | (int) (n >> 8));
            u8((int) n & 0xFF);
        } else {
            u8(0x80);
            for (int shift = 24; shift >= 0; shift -= 8) {
                u8((int) (n >>> shift) & 0xFF);
            }
        }
    }

    private void le(long v, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            u8((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    private void u8(int b) throws IOException {
        one[0] = (byte) b;
        raw(one);
    }

    private void raw(byte[] b) throws IOException {
        crc = Crc64.update(crc, b, 0, b.length);
        out.write(b);
    }

    /** A whole snapshot of {@code items} in memory (tests). */
    static byte[] of(Iterable<AofSnapshot.Item> items) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RdbWriter w = new RdbWriter(bytes);
        for (AofSnapshot.Item item : items) {
            w.key(item);
        }
        w.finish();
        return bytes.toByteArray();
    }
}
