package io.ipc4j.channel;

import java.io.IOException;

/**
 * How a side of a channel idles while it has nothing to do: a receiver with an empty ring, a sender with a full
 * one (in the style of Agrona's IdleStrategy). The channel calls {@link #idle} after each attempt that found
 * nothing and {@link #reset} when a wait begins; it checks its deadline and its peer between idle turns, so a
 * strategy need not.
 *
 * <p>Three are built in: {@link #busySpin()}, {@link #spinYield()} and {@link #spinPark()} (the default). A
 * strategy of the user's own should sleep through the {@link Sleeper} it is given: that sleep ends at the wait's
 * deadline, and for a receiver whose strategy {@link #sleepsUntilWoken() sleeps until woken}, when a sender
 * wakes it. A strategy holds per-wait state: give each side its own instance.
 */
public interface IdleStrategy {
    /**
     * One idle turn: spin, yield, or sleep through {@code sleeper}.
     *
     * @param sleeper the channel's sleep, bounded by the wait's deadline
     * @throws IOException if the sleep fails (the region vanished under a futex wait)
     */
    void idle(Sleeper sleeper) throws IOException;

    /** Starts over: called when a wait begins. */
    void reset();

    /**
     * Whether this strategy's sleeps wait to be woken: a receiver then announces each sleep in the header and
     * senders wake it with one system call (a futex wake), only when it really sleeps. Otherwise senders never
     * make a system call and a sleeping receiver notices a message when its sleep ends.
     *
     * @return true if a sender should wake this side's sleeps
     */
    default boolean sleepsUntilWoken() {
        return false;
    }

    /**
     * Spins with {@link Thread#onSpinWait()}: the lowest latency, a whole CPU while waiting. Pointless, even
     * harmful, when this process may use only one CPU.
     *
     * @return a new busy-spin strategy
     */
    static IdleStrategy busySpin() {
        return new BusySpin();
    }

    /**
     * Spins briefly, then yields, then sleeps for growing intervals up to 1 ms: little CPU, up to about 1 ms late.
     *
     * @return a new spin-yield strategy
     */
    static IdleStrategy spinYield() {
        return new SpinYield();
    }

    /**
     * Spins a while ({@link RingChannel#spinsBeforeSleeping()} turns; none when this process may use only one
     * CPU), then sleeps until woken, 100 ms at most: no system call per message while busy, near-zero CPU while
     * idle. The default.
     *
     * @return a new spin-park strategy
     */
    static IdleStrategy spinPark() {
        return new SpinPark(RingChannel.spinsBeforeSleeping());
    }
}
