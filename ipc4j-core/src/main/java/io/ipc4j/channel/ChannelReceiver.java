package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The receiving side of a channel, whatever its kind. For one thread at a time.
 */
public interface ChannelReceiver {
    /** What {@link #receiveNow} returns when there is no message. */
    int NONE = Integer.MIN_VALUE;

    /**
     * Hands up to {@code limit} waiting messages to {@code handler}; never waits.
     *
     * @param handler what to call with each message
     * @param limit   the most to hand over in this call
     * @return how many were handed over
     * @throws ChannelFormatException if the region is corrupt or was truncated
     */
    int poll(MessageHandler handler, int limit) throws ChannelFormatException;

    /**
     * Receives one message into {@code dst} if there is one; never waits.
     *
     * @param dst the buffer to fill, from its position (which moves past the message) up to its limit
     * @return the message's type, or {@link #NONE}
     * @throws IllegalArgumentException if the message does not fit {@code dst}
     * @throws ChannelFormatException   if the region is corrupt or was truncated
     */
    int receiveNow(ByteBuffer dst) throws ChannelFormatException;

    /**
     * Receives one message into {@code dst}, waiting at most {@code timeout} and idling as this receiver's
     * {@link IdleStrategy} says.
     *
     * @param dst     the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return the message's type
     * @throws IpcTimeoutException if none came in time
     * @throws PeerDeadException   if the (registered) sender died and nothing is left to read
     * @throws IOException         if the region is corrupt or was truncated ({@link ChannelFormatException})
     */
    int receive(ByteBuffer dst, Duration timeout) throws IOException;

    /**
     * Sets how {@link #receive} idles while there is nothing to read.
     *
     * @param strategy the idle strategy, for this receiver alone
     * @return this receiver
     */
    ChannelReceiver idleStrategy(IdleStrategy strategy);
}
