package io.ipc4j.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte buffer of RESP commands (the append-only log's pending writes). Not thread-safe. */
final class RespEncoder {
    private byte[] bytes = new byte[64 * 1024];
    private int size;

    int size() {
        return size;
    }

    void clear() {
        size = 0;
        if (bytes.length > 16 << 20) {
            bytes = new byte[64 * 1024]; // give back what a burst needed
        }
    }

    /** The bytes written so far, as a buffer over this encoder's array (valid until the next write). */
    ByteBuffer view() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    void command(byte[][] args) {
        header('*', args.length);
        for (byte[] a : args) {
            bulk(a);
        }
    }

    void command(String... words) {
        header('*', words.length);
        for (String w : words) {
            bulk(w.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Starts a command of {@code count} arguments whose parts follow through {@link #bulk}. */
    void header(char type, long count) {
        ensure(24);
        bytes[size++] = (byte) type;
        ascii(count);
        bytes[size++] = '\r';
        bytes[size++] = '\n';
    }

    void bulk(byte[] value) {
        header('$', value.length);
        ensure(value.length + 2);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
        bytes[size++] = '\r';
        bytes[size++] = '\n';
    }

    void bulk(String value) {
        bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    void append(RespEncoder other) {
        ensure(other.size);
        System.arraycopy(other.bytes, 0, bytes, size, other.size);
        size += other.size;
    }

    private void ascii(long v) {
        if (v == 0) {
            bytes[size++] = '0';
            return;
        }
        int start = size;
        long n = v;
        while (n > 0) {
            bytes[size++] = (byte) ('0' + n % 10);
            n /= 10;
        }
        for (int i = start, j = size - 1; i < j; i++, j--) {
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8,
                    Math.max((long) bytes.length * 2, (long) size + more)));
        }
    }
}
