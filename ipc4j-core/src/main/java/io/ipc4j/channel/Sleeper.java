package io.ipc4j.channel;

import java.io.IOException;

/**
 * The sleep a channel offers its {@link IdleStrategy}: never past the wait's deadline, and for a receiver whose
 * strategy sleeps until woken, a wait that a sender's wake-up ends early. One per side; one thread at a time.
 */
@FunctionalInterface
public interface Sleeper {
    /**
     * Sleeps at most {@code nanos}, less if the deadline comes first or (receivers) a sender wakes this side.
     *
     * @param nanos the longest sleep, in nanoseconds
     * @throws IOException if the sleep fails (the region vanished under a futex wait)
     */
    void sleep(long nanos) throws IOException;
}
