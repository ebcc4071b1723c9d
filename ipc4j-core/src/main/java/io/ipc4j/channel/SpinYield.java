package io.ipc4j.channel;

import java.io.IOException;

/** {@link IdleStrategy#spinYield()}: 20 spins, 10 yields, then sleeps doubling from 10 µs to 1 ms. */
final class SpinYield implements IdleStrategy {
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    private static final long MIN_SLEEP_NANOS = 10_000;
    private static final long MAX_SLEEP_NANOS = 1_000_000;

    private int step;
    private long sleepNanos = MIN_SLEEP_NANOS;

    @Override
    public void idle(Sleeper sleeper) throws IOException {
        if (step < SPINS) {
            step++;
            Thread.onSpinWait();
        } else if (step < SPINS + YIELDS) {
            step++;
            Thread.yield();
        } else {
            sleeper.sleep(sleepNanos);
            sleepNanos = Math.min(MAX_SLEEP_NANOS, sleepNanos * 2);
        }
    }

    @Override
    public void reset() {
        step = 0;
        sleepNanos = MIN_SLEEP_NANOS;
    }

    @Override
    public String toString() {
        return "spin-yield";
    }
}
