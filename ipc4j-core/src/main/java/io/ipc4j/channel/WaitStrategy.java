package io.ipc4j.channel;

/**
 * How a side waits when there is nothing to do (receiver: empty ring; sender: full ring).
 */
public enum WaitStrategy {
    /** Spin with onSpinWait: lowest latency, a whole CPU while waiting. Pointless, even harmful, on one CPU. */
    BUSY_SPIN,
    /** Spin briefly, then yield, then park for growing intervals up to 1 ms: low CPU, up to ~1 ms late. */
    SPIN_YIELD,
    /**
     * Spin briefly (only when this process may use more than one CPU: on one CPU spinning starves the peer),
     * then sleep on a futex after announcing it in the header, so the sender makes the wake syscall only when
     * the receiver really sleeps: no syscall per message while busy, near-zero CPU while idle. The default.
     */
    SPIN_PARK
}
