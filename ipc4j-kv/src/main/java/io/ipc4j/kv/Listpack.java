package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads Redis's listpack, the compact encoding RDB files keep small hashes, sorted sets, sets and list nodes in:
 * a 32-bit total size, a 16-bit count, then entries (an integer of 7, 13, 16, 24, 32 or 64 bits, or a string
 * with a 6-, 12- or 32-bit length), each followed by its own length backwards, and a 0xFF end byte.
 */
final class Listpack {
    private Listpack() {
    }

    /** The entries, integers as their decimal text; null if {@code lp} is not a whole, well-formed listpack. */
    static List<byte[]> entries(byte[] lp) {
        if (lp.length < 7 || RdbBytes.littleEndian(lp, 0, 4) != lp.length || (lp[lp.length - 1] & 0xFF) != 0xFF) {
            return null;
        }
        long declared = RdbBytes.littleEndian(lp, 4, 2);
        List<byte[]> out = new ArrayList<>();
        int at = 6;
        while (at < lp.length - 1) {
            int b = lp[at] & 0xFF;
            int size; // the entry's bytes without its back-length
            if ((b & 0x80) == 0) {
                out.add(RdbBytes.decimal(b));
                size = 1;
            } else if ((b & 0xC0) == 0x80) {
                size = 1 + (b & 0x3F);
                out.add(text(lp, at + 1, size - 1));
            } else if ((b & 0xE0) == 0xC0) {
                int v = ((b & 0x1F) << 8) | (lp[at + 1] & 0xFF);
                out.add(RdbBytes.decimal(v >= 1 << 12 ? v - (1 << 13) : v));
                size = 2;
            } else if ((b & 0xF0) == 0xE0) {
                size = 2 + (((b & 0x0F) << 8) | (lp[at + 1] & 0xFF));
                out.add(text(lp, at + 2, size - 2));
            } else if (b == 0xF0) {
                long n = RdbBytes.littleEndian(lp, at + 1, 4);
                if (n > lp.length) {
                    return null;
                }
                size = 5 + (int) n;
                out.add(text(lp, at + 5, (int) n));
            } else if (b >= 0xF1 && b <= 0xF4) {
                int width = b == 0xF4 ? 8 : b - 0xEF; // 2, 3, 4 or 8 bytes
                out.add(RdbBytes.decimal(RdbBytes.signedLittleEndian(lp, at + 1, width)));
                size = 1 + width;
            } else {
                return null;
            }
            if (out.getLast() == null) {
                return null;
            }
            at += size + backLength(size);
        }
        if (at != lp.length - 1 || (declared != 65535 && declared != out.size())) {
            return null;
        }
        return out;
    }

    /** Bytes of an entry's back-length, as Redis's lpEncodeBacklen writes it. */
    private static int backLength(int size) {
        if (size <= 127) {
            return 1;
        } else if (size < 16383) {
            return 2;
        } else if (size < 2097151) {
            return 3;
        } else if (size < 268435455) {
            return 4;
        }
        return 5;
    }

    private static byte[] text(byte[] lp, int from, int n) {
        if (from + n > lp.length - 1) {
            return null;
        }
        return java.util.Arrays.copyOfRange(lp, from, from + n);
    }

}
