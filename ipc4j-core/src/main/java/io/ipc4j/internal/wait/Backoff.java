package io.ipc4j.internal.wait;

import java.util.concurrent.locks.LockSupport;

/**
 * The idle strategy for waits the kernel cannot do for us with a timeout (System V queues cannot be polled):
 * a few spins, then yields, then parking from 10 µs doubling up to 1 ms. So a waiter notices a change within
 * about 1 ms and costs nearly no CPU while it waits. Not thread-safe: one per wait.
 */
public final class Backoff {
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    private static final long MIN_PARK_NANOS = 10_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private int step;
    private long parkNanos = MIN_PARK_NANOS;

    /** Waits a little, longer each call; returns false if {@code deadline} has passed. */
    public boolean idle(Deadline deadline) {
        long left = deadline.nanosLeft();
        if (left <= 0) {
            return false;
        }
        if (step < SPINS) {
            Thread.onSpinWait();
        } else if (step < SPINS + YIELDS) {
            Thread.yield();
        } else {
            long park = parkNanos;
            park = Math.min(park, left);
            LockSupport.parkNanos(park);
            parkNanos = Math.min(MAX_PARK_NANOS, parkNanos * 2);
        }
        step++;
        return true;
    }
}
