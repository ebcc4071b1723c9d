package io.ipc4j.shm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Atomic and ordered access to ints and longs in shared memory, the memory ordering named in each method
 * (Agrona's AtomicBuffer convention): plain, acquire/release, volatile, compare-and-set, get-and-add.
 *
 * <pre>{@code
 * SharedBuffer b = shm.buffer();
 * b.putLong(64, payload);            // plain store of the data...
 * b.putIntRelease(0, 1);             // ...then publish: a reader that sees the flag sees the data
 * while (b.getIntAcquire(0) == 0) Thread.onSpinWait();
 * long total = b.getAndAddLong(8, 1);
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Offsets are bytes from the start of the segment, bounds-checked (IndexOutOfBoundsException, never a
 * crash), and must be naturally aligned (4 for int, 8 for long): IllegalArgumentException otherwise, since
 * the CPU gives no atomicity to a misaligned access.</li>
 * <li>The atomics are those of the CPU on memory shared between processes: the same guarantees across
 * processes as across threads.</li>
 * <li>Thread-safe; stateless apart from the segment. A segment of a closed mapping throws
 * IllegalStateException.</li>
 * </ul>
 */
public final class SharedBuffer {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment segment;

    /**
     * A view of {@code segment}, which must start at an 8-byte aligned address (every mapping does).
     *
     * @param segment the memory segment
     */
    public SharedBuffer(MemorySegment segment) {
        if (segment.address() % Long.BYTES != 0) {
            throw new IllegalArgumentException("a SharedBuffer's segment must start 8-byte aligned, not at 0x"
                    + Long.toHexString(segment.address()));
        }
        this.segment = segment;
    }

    /** {@return the memory this buffer reads and writes} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return the segment's size in bytes} */
    public long capacity() {
        return segment.byteSize();
    }

    private static long aligned(long offset, int size) {
        if ((offset & (size - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not aligned to " + size
                    + " bytes: atomic and ordered accesses need natural alignment");
        }
        return offset;
    }

    /**
     * Reads the int at {@code offset} with a plain load.
     *
     * @param offset bytes from the start, a multiple of 4
     * @return its value
     */
    public int getInt(long offset) {
        return (int) INT.get(segment, aligned(offset, 4));
    }

    /**
     * Writes the int at {@code offset} with a plain store.
     *
     * @param offset bytes from the start, a multiple of 4
     * @param value the value
     */
    public void putInt(long offset, int value) {
        INT.set(segment, aligned(offset, 4), value);
    }

    /**
     * Reads the int at {@code offset} with an acquire load.
     *
     * @param offset bytes from the start, a multiple of 4
     * @return its value
     */
    public int getIntAcquire(long offset) {
        return (int) INT.getAcquire(segment, aligned(offset, 4));
    }

    /**
     * Writes the int at {@code offset} with a release store.
     *
     * @param offset bytes from the start, a multiple of 4
     * @param value the value
     */
    public void putIntRelease(long offset, int value) {
        INT.setRelease(segment, aligned(offset, 4), value);
    }

    /**
     * Reads the int at {@code offset} with a volatile load.
     *
     * @param offset bytes from the start, a multiple of 4
     * @return its value
     */
    public int getIntVolatile(long offset) {
        return (int) INT.getVolatile(segment, aligned(offset, 4));
    }

    /**
     * Writes the int at {@code offset} with a volatile store.
     *
     * @param offset bytes from the start, a multiple of 4
     * @param value the value
     */
    public void putIntVolatile(long offset, int value) {
        INT.setVolatile(segment, aligned(offset, 4), value);
    }

    /**
     * Sets the int at {@code offset} to {@code value} if it holds {@code expected}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 4
     * @param expected the value it must hold
     * @param value the new value
     * @return whether it was set
     */
    public boolean compareAndSetInt(long offset, int expected, int value) {
        return INT.compareAndSet(segment, aligned(offset, 4), expected, value);
    }

    /**
     * Adds {@code delta} to the int at {@code offset}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 4
     * @param delta what to add
     * @return the value before
     */
    public int getAndAddInt(long offset, int delta) {
        return (int) INT.getAndAdd(segment, aligned(offset, 4), delta);
    }

    /**
     * Sets the int at {@code offset} to {@code value}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 4
     * @param value the new value
     * @return the value before
     */
    public int getAndSetInt(long offset, int value) {
        return (int) INT.getAndSet(segment, aligned(offset, 4), value);
    }

    /**
     * Reads the long at {@code offset} with a plain load.
     *
     * @param offset bytes from the start, a multiple of 8
     * @return its value
     */
    public long getLong(long offset) {
        return (long) LONG.get(segment, aligned(offset, 8));
    }

    /**
     * Writes the long at {@code offset} with a plain store.
     *
     * @param offset bytes from the start, a multiple of 8
     * @param value the value
     */
    public void putLong(long offset, long value) {
        LONG.set(segment, aligned(offset, 8), value);
    }

    /**
     * Reads the long at {@code offset} with an acquire load.
     *
     * @param offset bytes from the start, a multiple of 8
     * @return its value
     */
    public long getLongAcquire(long offset) {
        return (long) LONG.getAcquire(segment, aligned(offset, 8));
    }

    /**
     * Writes the long at {@code offset} with a release store.
     *
     * @param offset bytes from the start, a multiple of 8
     * @param value the value
     */
    public void putLongRelease(long offset, long value) {
        LONG.setRelease(segment, aligned(offset, 8), value);
    }

    /**
     * Reads the long at {@code offset} with a volatile load.
     *
     * @param offset bytes from the start, a multiple of 8
     * @return its value
     */
    public long getLongVolatile(long offset) {
        return (long) LONG.getVolatile(segment, aligned(offset, 8));
    }

    /**
     * Writes the long at {@code offset} with a volatile store.
     *
     * @param offset bytes from the start, a multiple of 8
     * @param value the value
     */
    public void putLongVolatile(long offset, long value) {
        LONG.setVolatile(segment, aligned(offset, 8), value);
    }

    /**
     * Sets the long at {@code offset} to {@code value} if it holds {@code expected}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 8
     * @param expected the value it must hold
     * @param value the new value
     * @return whether it was set
     */
    public boolean compareAndSetLong(long offset, long expected, long value) {
        return LONG.compareAndSet(segment, aligned(offset, 8), expected, value);
    }

    /**
     * Adds {@code delta} to the long at {@code offset}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 8
     * @param delta what to add
     * @return the value before
     */
    public long getAndAddLong(long offset, long delta) {
        return (long) LONG.getAndAdd(segment, aligned(offset, 8), delta);
    }

    /**
     * Sets the long at {@code offset} to {@code value}, atomically (volatile).
     *
     * @param offset bytes from the start, a multiple of 8
     * @param value the new value
     * @return the value before
     */
    public long getAndSetLong(long offset, long value) {
        return (long) LONG.getAndSet(segment, aligned(offset, 8), value);
    }
}
