package io.ipc4j.kv;

/** LZF decompression (Redis compresses long strings in RDB files with it). */
final class Lzf {
    private Lzf() {
    }

    /**
     * Expands {@code length} bytes of {@code in} from {@code from} into exactly {@code expanded} bytes; null if
     * they do not (a back reference before the start, a run past either end, or another size).
     */
    static byte[] decompress(byte[] in, int from, int length, int expanded) {
        // grown as the output really arrives: a header that claims gigabytes gets them only if the data is there
        byte[] out = new byte[Math.min(expanded, Math.max(64, 4 * length))];
        int i = from;
        int end = from + length;
        int o = 0;
        while (i < end) {
            int ctrl = in[i++] & 0xFF;
            if (ctrl < 32) { // a literal run of ctrl + 1 bytes
                int n = ctrl + 1;
                if (i + n > end || o + n > expanded) {
                    return null;
                }
                out = room(out, o + n, expanded);
                System.arraycopy(in, i, out, o, n);
                i += n;
                o += n;
                continue;
            }
            int n = ctrl >> 5;
            if (n == 7) {
                if (i >= end) {
                    return null;
                }
                n += in[i++] & 0xFF;
            }
            if (i >= end) {
                return null;
            }
            int ref = o - ((ctrl & 0x1F) << 8) - (in[i++] & 0xFF) - 1;
            n += 2;
            if (ref < 0 || o + n > expanded) {
                return null;
            }
            out = room(out, o + n, expanded);
            for (int k = 0; k < n; k++) { // byte by byte: a reference may overlap what it writes
                out[o++] = out[ref++];
            }
        }
        return o == expanded ? out : null;
    }

    /** {@code out}, or a copy at least {@code needed} long (doubling, at most {@code expanded}). */
    private static byte[] room(byte[] out, int needed, int expanded) {
        if (needed <= out.length) {
            return out;
        }
        return java.util.Arrays.copyOf(out, (int) Math.min(expanded, Math.max(needed, 2L * out.length)));
    }
}
