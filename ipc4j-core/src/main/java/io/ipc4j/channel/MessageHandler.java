package io.ipc4j.channel;

import java.lang.foreign.MemorySegment;

/** Called with each message a {@link ChannelReceiver#poll poll} hands over: a view valid only during the call. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * One message, to read before returning: the memory is reused afterwards.
     *
     * @param type   its type
     * @param memory the memory holding it (the ring itself, or a receiver's copy)
     * @param offset where its payload starts in {@code memory}
     * @param length its payload's length
     */
    void onMessage(int type, MemorySegment memory, int offset, int length);
}
