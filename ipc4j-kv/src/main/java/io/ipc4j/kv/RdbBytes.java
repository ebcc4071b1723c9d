package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;

/** Reading RDB files: little-endian numbers inside byte arrays, and integers as the strings Redis gives back. */
final class RdbBytes {
    private RdbBytes() {
    }

    /**
     * The unsigned little-endian number of {@code n} bytes (at most 8) at {@code from}.
     *
     * @throws IndexOutOfBoundsException if {@code b} ends first (a file cut off: the loader reports it)
     */
    static long littleEndian(byte[] b, int from, int n) {
        if (from + n > b.length) {
            throw new IndexOutOfBoundsException(from + n);
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[from + i] & 0xFF);
        }
        return v;
    }

    /** As {@link #littleEndian}, sign-extended from its {@code n} bytes (intsets, listpack integers). */
    static long signedLittleEndian(byte[] b, int from, int n) {
        int shift = 64 - 8 * n;
        return (littleEndian(b, from, n) << shift) >> shift;
    }

    /** An integer as its decimal text, the string Redis gives back for an integer-encoded one. */
    static byte[] decimal(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
