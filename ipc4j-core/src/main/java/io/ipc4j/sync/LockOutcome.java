package io.ipc4j.sync;

/** How a {@link RobustMutex} was acquired. */
public enum LockOutcome {
    /** From an owner that released it, or free. */
    ACQUIRED,
    /**
     * Taken over from an owner process that died holding it (pthread's EOWNERDEAD): the state it protects may
     * be half-updated; check or repair it before relying on it.
     */
    PREVIOUS_OWNER_DIED,
    /** Not acquired (only from {@link RobustMutex#tryLock()}). */
    NOT_ACQUIRED
}
