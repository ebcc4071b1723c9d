package io.ipc4j.channel;

import java.lang.foreign.MemorySegment;

/**
 * A {@link ChannelSender} that can also write a message in place: {@link #claim} room, write the payload into
 * {@link #ring()}, then {@link #commit}. One claim at a time; until it is committed the receiver waits at it.
 */
public interface ZeroCopySender extends ChannelSender {
    /**
     * Reserves room for a message of at most {@code length} bytes; never waits.
     *
     * @param type   the message type, 0 and up
     * @param length the most bytes the message will have
     * @return the offset in {@link #ring()} where its payload goes, or -1 if there is no room now
     * @throws IllegalStateException if a claim is open
     */
    int claim(int type, int length);

    /**
     * Publishes the message claimed at {@code payloadOffset}: {@code length} bytes, at most the claimed length
     * (claim the most a message may need, commit what was written).
     *
     * @param payloadOffset the offset {@link #claim} returned
     * @param length        the payload's length
     * @throws IllegalStateException    if nothing was claimed at that offset
     * @throws IllegalArgumentException if {@code length} is above the claimed length; the claim stays open
     */
    void commit(int payloadOffset, int length);

    /** {@return the ring, to write a claimed payload into} */
    MemorySegment ring();
}
