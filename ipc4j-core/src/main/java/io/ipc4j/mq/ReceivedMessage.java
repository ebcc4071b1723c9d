package io.ipc4j.mq;

/**
 * A message taken from a POSIX queue by {@link PosixMessageQueue#receiveMessage}.
 *
 * @param data     the message's bytes (a new array, owned by the caller).
 * @param priority its priority.
 */
public record ReceivedMessage(byte[] data, int priority) {
}
