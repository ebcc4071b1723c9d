package io.ipc4j.internal.wait;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When a blocking call must give up: a point on the {@link System#nanoTime()} clock, with the timeout it was
 * made from (for the message of the timeout exception). Immutable; {@link #FOREVER} and {@link #NOW} are the
 * two deadlines that are not points in time.
 *
 * <p>A call makes its deadline once, when it starts, and passes it down through every step and every wait, so
 * that a call made of several waits (a write the peer takes in parts, a connect then a handshake) keeps to
 * its timeout in all. The object is made only by timed calls and never stored: waits take its value
 * ({@link FdHandle#awaitReady} unpacks it in a method small enough to inline), so the JIT can scalar-replace
 * it when it inlines the call's steps. It does not always: measured, a timed pipe write and read that never
 * waited allocated nothing in a quiet fresh JVM, and 24 bytes a call (this object) in one compiled while the
 * machine was loaded, where the JIT left a step out of line.
 */
public final class Deadline {
    /** Timeouts beyond this (a century) wait forever; it also keeps toNanos() from overflowing. */
    private static final Duration LONGEST = Duration.ofDays(365 * 100);

    /** No deadline: wait as long as it takes. */
    public static final Deadline FOREVER = new Deadline(0, null);
    /** Do not wait at all: the call does what it can now. */
    public static final Deadline NOW = new Deadline(0, Duration.ZERO);

    private final long at;
    private final Duration timeout;

    private Deadline(long at, Duration timeout) {
        this.at = at;
        this.timeout = timeout;
    }

    /**
     * The deadline {@code timeout} from now; a timeout too long to count in nanoseconds is {@link #FOREVER}.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative.
     */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        if (timeout.compareTo(LONGEST) > 0) {
            return FOREVER;
        }
        return new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
    }

    /** {@link #after(Duration)}, or {@link #FOREVER} for a null timeout. */
    public static Deadline afterOrForever(Duration timeout) {
        return timeout == null ? FOREVER : after(timeout);
    }

    /** Whether this is {@link #FOREVER}. */
    public boolean isForever() {
        return this == FOREVER;
    }

    /** Whether this is {@link #NOW}: the call must not wait. */
    public boolean isNow() {
        return this == NOW;
    }

    /** Nanoseconds left: {@link Long#MAX_VALUE} for {@link #FOREVER}; 0 or less once passed (and for NOW). */
    public long nanosLeft() {
        if (this == FOREVER) {
            return Long.MAX_VALUE;
        }
        return this == NOW ? 0 : at - System.nanoTime();
    }

    /**
     * This deadline as one long, for wait loops that must not hold the object: {@link Long#MAX_VALUE} for
     * {@link #FOREVER}, {@link Long#MIN_VALUE} for {@link #NOW}, else the {@link System#nanoTime()} it falls at.
     */
    public long encoded() {
        if (this == FOREVER) {
            return Long.MAX_VALUE;
        }
        return this == NOW ? Long.MIN_VALUE : at;
    }

    /** Nanoseconds left before an {@link #encoded()} deadline, as {@link #nanosLeft()}. */
    public static long nanosLeft(long encoded) {
        if (encoded == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return encoded == Long.MIN_VALUE ? 0 : encoded - System.nanoTime();
    }

    /** Whether the deadline has passed ({@link #NOW} always has; {@link #FOREVER} never does). */
    public boolean hasPassed() {
        return nanosLeft() <= 0;
    }

    /** The timeout this deadline was made from, for messages: zero for {@link #NOW}, null for {@link #FOREVER}. */
    public Duration timeout() {
        return timeout;
    }

    /** What is left of the timeout, never negative; for {@link #FOREVER}, a duration {@link #after} takes as forever. */
    public Duration remaining() {
        return this == FOREVER ? ChronoUnit.FOREVER.getDuration() : Duration.ofNanos(Math.max(0, nanosLeft()));
    }

    @Override
    public String toString() {
        return this == FOREVER ? "Deadline[forever]" : "Deadline[" + timeout + ", " + nanosLeft() + " ns left]";
    }
}
