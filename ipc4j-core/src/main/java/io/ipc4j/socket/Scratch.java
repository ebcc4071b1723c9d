package io.ipc4j.socket;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Native memory where a socket call stages a heap buffer's bytes: one for sends and one for receives per
 * thread, not per socket. A call uses it only while it runs (a platform thread that waits inside a call makes
 * no other call meanwhile; each virtual thread has its own), so the sockets of a thread share it. Per socket,
 * two 64 KiB blocks were made for each connection and freed only when the collector found the socket gone:
 * a server that accepts many short connections (ipc4j-kv under Redis clients that connect per request) kept
 * touching fresh memory, 16 page faults a connection, and a connect-and-PING took 0.6-1.2 ms against
 * redis-server's 0.1 ms. It starts at {@link #FIRST_BYTES} and grows to what a call needs.
 */
final class Scratch {
    /** The first size; a scratch grows to the next power of two of what a call needs. */
    static final int FIRST_BYTES = 4096;
    private static final ThreadLocal<Scratch> SEND = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Scratch> RECEIVE = ThreadLocal.withInitial(Scratch::new);

    private MemorySegment segment;
    /**
     * A ByteBuffer view of {@link #segment}: copies between it and heap buffers (read-only ones too) go through
     * ByteBuffer.put, which allocates nothing, where MemorySegment.ofBuffer makes a segment and a session each call.
     */
    private ByteBuffer view;

    private Scratch() {
    }

    /** This thread's scratch for sends. */
    static Scratch forSend() {
        return SEND.get();
    }

    /** This thread's scratch for receives. */
    static Scratch forReceive() {
        return RECEIVE.get();
    }

    /** The memory, at least {@code n} bytes (grown if it was smaller; what it held is then gone). */
    MemorySegment atLeast(int n) {
        if (segment == null || segment.byteSize() < n) {
            segment = Arena.ofAuto().allocate(sizeFor(n), 8); // the old one goes with its arena
            view = segment.asByteBuffer();
        }
        return segment;
    }

    /** The memory as it is (after {@link #atLeast}). */
    MemorySegment segment() {
        return segment;
    }

    /** The memory as a ByteBuffer (after {@link #atLeast}). */
    ByteBuffer view() {
        return view;
    }

    /** The size for {@code n} bytes: the next power of two, at least {@link #FIRST_BYTES}. */
    static long sizeFor(int n) {
        return n <= FIRST_BYTES ? FIRST_BYTES : Long.highestOneBit(n - 1L) << 1;
    }
}
