package io.ipc4j.kv;

/**
 * The entry format of a packed list node ({@link ListValue}): elements back to back, each with its length
 * before and after it so the node can be walked from either end, as Redis's listpack entries are. A length
 * under 255 takes one byte on each side; a longer one is 0xFF and four bytes (big-endian) before, the four
 * bytes and 0xFF after.
 */
final class PackedEntries {
    private static final int LONG = 0xFF;

    private PackedEntries() {
    }

    /** The bytes an entry of a {@code length}-byte element takes. */
    static int size(int length) {
        return length < LONG ? length + 2 : length + 10;
    }

    /** Writes {@code value}'s entry at {@code at}; returns the offset after it. */
    static int write(byte[] node, int at, byte[] value) {
        int n = value.length;
        if (n < LONG) {
            node[at] = (byte) n;
            System.arraycopy(value, 0, node, at + 1, n);
            node[at + 1 + n] = (byte) n;
            return at + n + 2;
        }
        node[at] = (byte) LONG;
        putInt(node, at + 1, n);
        System.arraycopy(value, 0, node, at + 5, n);
        putInt(node, at + 5 + n, n);
        node[at + 9 + n] = (byte) LONG;
        return at + n + 10;
    }

    /** The element's length of the entry at {@code at}. */
    static int length(byte[] node, int at) {
        int head = node[at] & 0xFF;
        return head < LONG ? head : getInt(node, at + 1);
    }

    /** Where the element of the entry at {@code at} starts. */
    static int data(byte[] node, int at) {
        return (node[at] & 0xFF) < LONG ? at + 1 : at + 5;
    }

    /** The offset after the entry at {@code at}. */
    static int next(byte[] node, int at) {
        int head = node[at] & 0xFF;
        return head < LONG ? at + head + 2 : at + getInt(node, at + 1) + 10;
    }

    /** The offset of the entry that ends at {@code end}. */
    static int previous(byte[] node, int end) {
        int tail = node[end - 1] & 0xFF;
        return tail < LONG ? end - tail - 2 : end - getInt(node, end - 5) - 10;
    }

    /** Whether the entry at {@code at} holds exactly {@code value}. */
    static boolean holds(byte[] node, int at, byte[] value) {
        int from = data(node, at);
        return length(node, at) == value.length
                && java.util.Arrays.equals(node, from, from + value.length, value, 0, value.length);
    }

    /** A copy of the element of the entry at {@code at}. */
    static byte[] element(byte[] node, int at) {
        int from = data(node, at);
        return java.util.Arrays.copyOfRange(node, from, from + length(node, at));
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
    }
}
