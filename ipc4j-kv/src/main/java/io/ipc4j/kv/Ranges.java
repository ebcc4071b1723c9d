package io.ipc4j.kv;

/** Redis's index conventions: negative indexes count from the end; ranges are clamped to the value. */
final class Ranges {
    private Ranges() {
    }

    /** {@code index} as a position in a value of {@code size}, or -1 if outside it. */
    static int index(long index, int size) {
        long i = index < 0 ? size + index : index;
        return i < 0 || i >= size ? -1 : (int) i;
    }

    /**
     * The inclusive range {@code start..stop} clamped to a value of {@code size}: {from, to}, with from > to
     * when it is empty.
     */
    static int[] clamp(long start, long stop, int size) {
        if (start < 0) {
            start = Math.max(0, size + start);
        }
        if (stop < 0) {
            stop = size + stop;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        if (start > stop || start >= size) {
            return new int[] {1, 0};
        }
        return new int[] {(int) start, (int) stop};
    }
}
