package io.ipc4j.sync;

/**
 * One operation of a System V semop(2) call; several in one call happen atomically, all or none.
 *
 * @param index which semaphore of the set.
 * @param delta added to its value: negative waits until the value is large enough, 0 waits for zero.
 * @param undo  SEM_UNDO: the kernel reverses this operation if the process exits without doing so (a crashed
 *              holder does not keep its hold).
 */
public record SemOp(int index, int delta, boolean undo) {
    /** Checks the semaphore index (0 or more). */
    public SemOp {
        if (index < 0 || index > 0xffff) {
            throw new IllegalArgumentException("semaphore index " + index + " is outside 0..65535");
        }
        if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
            throw new IllegalArgumentException("semop delta " + delta + " is outside a C short");
        }
    }

    /**
     * Take one, undone by the kernel if this process dies holding it.
     *
     * @param index the index, from 0
     * @return the operation
     */
    public static SemOp acquire(int index) {
        return new SemOp(index, -1, true);
    }

    /**
     * Give back one taken with {@link #acquire}.
     *
     * @param index the index, from 0
     * @return the operation
     */
    public static SemOp release(int index) {
        return new SemOp(index, 1, true);
    }

    /**
     * Add {@code delta} with no undo.
     *
     * @param index the index, from 0
     * @param delta what to add
     * @return the operation
     */
    public static SemOp add(int index, int delta) {
        return new SemOp(index, delta, false);
    }

    /**
     * Wait until the value is zero.
     *
     * @param index the index, from 0
     * @return the operation
     */
    public static SemOp waitForZero(int index) {
        return new SemOp(index, 0, false);
    }
}
