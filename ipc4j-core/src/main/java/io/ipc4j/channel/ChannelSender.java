package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The sending side of a channel, whatever its kind. Messages are a type (0 and up) and up to
 * {@link #maxMessageLength()} bytes. A sender is for one thread at a time.
 */
public interface ChannelSender {
    /**
     * Sends the buffer's remaining bytes with {@code type} if there is room now; never waits.
     *
     * @param type    the message type, 0 and up
     * @param message the message: the buffer's remaining bytes (its position moves to its limit when sent)
     * @return true if it was sent, false if there is no room now (the buffer is untouched)
     * @throws IllegalArgumentException if the type is negative or the message longer than {@link #maxMessageLength()}
     */
    boolean offer(int type, ByteBuffer message);

    /**
     * Sends, waiting at most {@code timeout} for room, idling as the sender's {@link IdleStrategy} says.
     *
     * @param type    the message type, 0 and up
     * @param message the message: the buffer's remaining bytes
     * @param timeout the longest this call waits
     * @throws IpcTimeoutException if there was no room in time (the buffer is untouched)
     * @throws PeerDeadException if the receiver died while this sender waited for room
     * @throws IOException if the region is corrupt or was truncated ({@link ChannelFormatException})
     */
    void send(int type, ByteBuffer message, Duration timeout) throws IOException;

    /**
     * {@return the longest message: an eighth of the ring's capacity, minus its 8-byte record header}
     */
    int maxMessageLength();
}
