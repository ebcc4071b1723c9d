package io.ipc4j.internal.posix;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Memory segments over the ByteBuffers a caller keeps reusing, made once instead of once per message:
 * {@code MemorySegment.ofBuffer} makes a segment and a session each call (72 bytes: JMH with {@code -prof gc},
 * a pipe's write and read of 64 bytes allocated 144 bytes, 2026-12-03), and a slice of a segment is another
 * object. Senders and receivers mostly reuse one buffer, and a message mostly fills it from the same position.
 * Holds the last buffer until another one is used. One thread at a time (each side or direction has its own).
 */
public final class BufferSegments {
    private ByteBuffer wholeOf;
    private MemorySegment whole;
    private ByteBuffer rangeOf;
    private int rangeStart;
    private int rangeLength;
    private MemorySegment range;

    /** A segment whose offset 0 is the buffer's index 0, over the buffer's whole capacity. */
    public MemorySegment whole(ByteBuffer buffer) {
        if (buffer != wholeOf) {
            whole = MemorySegment.ofBuffer(buffer.duplicate().clear());
            wholeOf = buffer;
        }
        return whole;
    }

    /**
     * A segment over the buffer from its position to its limit, as {@code MemorySegment.ofBuffer(buffer)}: the
     * same object as last time if the buffer, its position and its limit are.
     */
    public MemorySegment remaining(ByteBuffer buffer) {
        int start = buffer.position();
        int length = buffer.limit() - start;
        if (buffer != rangeOf || start != rangeStart || length != rangeLength) {
            range = MemorySegment.ofBuffer(buffer);
            rangeOf = buffer;
            rangeStart = start;
            rangeLength = length;
        }
        return range;
    }
}
