package io.ipc4j.signal;

/**
 * A signal as a {@link SignalReceiver} read it.
 *
 * @param signal    the signal.
 * @param value     the int sent with it by sigqueue(3) or {@link Signals#queue}; 0 for kill(2).
 * @param queued    whether it was sent with a value (si_code SI_QUEUE); if false, {@code value} means nothing.
 * @param senderPid the sending process, as the kernel recorded it.
 * @param senderUid the sender's real user id.
 */
public record QueuedSignal(Signal signal, int value, boolean queued, int senderPid, int senderUid) {
}
