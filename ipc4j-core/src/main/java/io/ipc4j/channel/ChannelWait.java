package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The one wait loop of every channel side: repeats an attempt (receive a message, find room) until it succeeds,
 * idling between attempts as the side's {@link IdleStrategy} says, and between bursts checks the deadline and the
 * peer. One object per side, reused by every wait, so a wait allocates nothing but its deadline.
 *
 * <p>The clock is read once per {@link #BURST} idle turns, or after any sleep: two clock reads per empty poll
 * delayed noticing a message by as much (64-byte round trip p50 0.37 µs with them, 0.29 µs without, here), and
 * most waits end within the first burst, before the deadline is even computed.
 */
abstract class ChannelWait implements Sleeper {
    /** Idle turns between clock reads while spinning. */
    static final int BURST = 64;
    /** How often a waiting side checks its peer and the region, and beats its heartbeat. */
    static final long CHECK_NANOS = 100_000_000L;
    /** The longest sleep of a side no one wakes (a sender, or a receiver whose strategy wants no wake-ups). */
    static final long UNWOKEN_SLEEP_NANOS = 1_000_000L;

    private IdleStrategy strategy;
    private Deadline deadline;
    private Duration timeout;
    private boolean slept;

    ChannelWait(IdleStrategy strategy) {
        this.strategy = Objects.requireNonNull(strategy, "idle strategy");
    }

    IdleStrategy strategy() {
        return strategy;
    }

    void strategy(IdleStrategy idleStrategy) {
        this.strategy = Objects.requireNonNull(idleStrategy, "idle strategy");
    }

    /** One attempt: true if it succeeded and the wait is over. */
    abstract boolean attempt() throws IOException;

    /**
     * Every 100 ms of waiting: checks the region and the peer (throwing {@link PeerDeadException} or
     * {@link ChannelFormatException}) and beats this side's heartbeat. True if it changed something worth an
     * attempt at once (a dead sender's record skipped).
     */
    abstract boolean checkPeer() throws IOException;

    /** The exception for a wait that ran out. */
    abstract IpcTimeoutException timedOut(Duration timeout);

    /** Sleeps at most {@code nanos} where a peer can wake it; by default, no one can. */
    void sleepUntilWoken(long nanos) throws IOException {
        LockSupport.parkNanos(Math.min(nanos, UNWOKEN_SLEEP_NANOS));
    }

    /** Repeats {@link #attempt()} until it succeeds, at most {@code timeout}. */
    final void await(Duration timeout) throws IOException {
        IdleStrategy idle = strategy;
        idle.reset();
        this.timeout = timeout;
        this.deadline = null;
        slept = false;
        for (int i = 0; i < BURST && !slept; i++) { // most waits end here: no clock read for them
            idle.idle(this);
            if (attempt()) {
                return;
            }
        }
        Deadline until = deadline();
        long nextCheck = System.nanoTime() + CHECK_NANOS;
        while (true) {
            slept = false;
            for (int i = 0; i < BURST && !slept; i++) {
                idle.idle(this);
                if (attempt()) {
                    return;
                }
            }
            if (until.hasPassed()) {
                throw timedOut(timeout);
            }
            long now = System.nanoTime();
            if (now - nextCheck > 0) {
                nextCheck = now + CHECK_NANOS;
                if (checkPeer() && attempt()) {
                    return;
                }
            }
        }
    }

    private Deadline deadline() {
        if (deadline == null) {
            deadline = Deadline.after(timeout);
        }
        return deadline;
    }

    /** The deadline's nanoseconds left, at least 1 while it has not passed. */
    final long nanosLeft() {
        return deadline().nanosLeft();
    }

    @Override
    public final void sleep(long nanos) throws IOException {
        slept = true;
        long left = nanosLeft();
        if (left <= 0) {
            return;
        }
        long bounded = Math.max(1, Math.min(nanos, left));
        if (strategy.sleepsUntilWoken()) {
            sleepUntilWoken(bounded);
        } else {
            LockSupport.parkNanos(Math.min(bounded, UNWOKEN_SLEEP_NANOS));
        }
    }
}
