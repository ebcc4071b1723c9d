package io.ipc4j.sync;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SyncCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * Futex wait and wake (futex(2)) on an int in shared memory: the kernel's building block for blocking
 * between processes without a syscall when no one waits.
 *
 * <pre>{@code
 * // waiter: sleep while the flag is 0
 * while (buffer.getIntAcquire(0) == 0) {
 *     Futex.await(segment, 0, 0, Duration.ofMillis(100));
 * }
 * // waker
 * buffer.putIntRelease(0, 1);
 * Futex.wake(segment, 0, Integer.MAX_VALUE);
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Shared futexes only (never FUTEX_PRIVATE_FLAG), so waiters and wakers may be in different processes
 * mapping the same memory.</li>
 * <li>A wait may end early (a signal, or a wake meant for another value): re-check your condition in a loop,
 * as the example does.</li>
 * <li>The int must be 4-byte aligned and inside the segment; checked. Waiting is native and cannot be made
 * non-blocking: on a virtual thread it holds the carrier for the whole wait.</li>
 * </ul>
 */
public final class Futex {
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SyncCalls.TIMESPEC));

    /** How a wait ended. */
    public enum Wake {
        /** Woken by {@link #wake}, a signal, or spuriously: check the value. */
        WOKEN,
        /** The value was not {@code expected} when the wait began: no sleep happened. */
        VALUE_CHANGED,
        /** The timeout passed. */
        TIMED_OUT
    }

    private Futex() {
    }

    /**
     * Sleeps while the int at {@code offset} equals {@code expected}, at most {@code timeout}.
     *
     * @param segment the memory segment
     * @param offset the byte offset
     * @param expected the value the word must hold for the call to wait
     * @param timeout the longest this call waits
     * @return sleeps while the int at {@code offset} equals {@code expected}, at most {@code timeout}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Wake await(MemorySegment segment, long offset, int expected, Duration timeout) throws IOException {
        MemorySegment timespec = TIMESPEC.get();
        SyncCalls.relative(timespec, Math.max(0, timeout.toNanos()));
        return await(word(segment, offset), expected, timespec);
    }

    /**
     * Sleeps while the int at {@code offset} equals {@code expected}, as long as it takes.
     *
     * @param segment the memory segment
     * @param offset the byte offset
     * @param expected the value the word must hold for the call to wait
     * @return sleeps while the int at {@code offset} equals {@code expected}, as long as it takes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Wake await(MemorySegment segment, long offset, int expected) throws IOException {
        return await(word(segment, offset), expected, MemorySegment.NULL);
    }

    private static Wake await(MemorySegment word, int expected, MemorySegment timeout) throws IOException {
        int r = SyncCalls.futexWait(word, expected, timeout);
        return switch (r == 0 ? 0 : -r) {
            case 0, Errno.EINTR -> Wake.WOKEN;
            case Errno.EAGAIN -> Wake.VALUE_CHANGED;
            case Errno.ETIMEDOUT -> Wake.TIMED_OUT;
            default -> throw Failures.of("futex(FUTEX_WAIT)", "address 0x" + Long.toHexString(word.address()), -r);
        };
    }

    /**
     * Wakes up to {@code count} waiters on the int at {@code offset}; returns how many were woken.
     *
     * @param segment the memory segment
     * @param offset the byte offset
     * @param count how many
     * @return how many waiters were woken
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static int wake(MemorySegment segment, long offset, int count) throws IOException {
        MemorySegment word = word(segment, offset);
        int r = SyncCalls.futexWake(word, count);
        if (r < 0) {
            throw Failures.of("futex(FUTEX_WAKE)", "address 0x" + Long.toHexString(word.address()), -r);
        }
        return r;
    }

    private static MemorySegment word(MemorySegment segment, long offset) {
        Objects.checkFromIndexSize(offset, Integer.BYTES, segment.byteSize());
        MemorySegment word = segment.asSlice(offset, Integer.BYTES);
        if (word.address() % Integer.BYTES != 0) {
            throw new IllegalArgumentException("a futex word must be 4-byte aligned: offset " + offset
                    + " is at address 0x" + Long.toHexString(word.address()));
        }
        if (!word.isNative()) {
            throw new IllegalArgumentException("a futex word must be in native (mapped) memory, not on the heap");
        }
        return word;
    }
}
