package io.ipc4j.channel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A memory segment over the whole of the last ByteBuffer a side sent from or received into. Senders and
 * receivers mostly reuse one buffer, so making a segment per message (an allocation, and a slower copy) is
 * avoided. Holds the last buffer until another one is used. One thread at a time.
 */
final class BufferSegments {
    private ByteBuffer last;
    private MemorySegment segment;

    /** A segment whose offset 0 is the buffer's index 0, over the buffer's whole capacity. */
    MemorySegment of(ByteBuffer buffer) {
        if (buffer != last) {
            segment = MemorySegment.ofBuffer(buffer.duplicate().clear());
            last = buffer;
        }
        return segment;
    }
}
