package io.ipc4j.channel;

import java.io.IOException;

/**
 * {@link IdleStrategy#spinPark()}: spins, then sleeps until woken for 100 ms at most, so that the waiting side
 * checks its peer's life and the region at least that often.
 */
final class SpinPark implements IdleStrategy {
    static final long LONGEST_SLEEP_NANOS = 100_000_000L;

    private final int spins;
    private int spun;

    SpinPark(int spins) {
        this.spins = spins;
    }

    @Override
    public void idle(Sleeper sleeper) throws IOException {
        if (spun < spins) {
            spun++;
            Thread.onSpinWait();
        } else {
            sleeper.sleep(LONGEST_SLEEP_NANOS);
        }
    }

    @Override
    public void reset() {
        spun = 0;
    }

    @Override
    public boolean sleepsUntilWoken() {
        return true;
    }

    @Override
    public String toString() {
        return "spin-park";
    }
}
