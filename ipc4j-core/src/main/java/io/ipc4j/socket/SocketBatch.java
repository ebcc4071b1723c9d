package io.ipc4j.socket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a {@link SendBatch} and a {@link ReceiveBatch} share: entries of a stream socket and a range of a direct
 * buffer, made all at once with one system call where the kernel allows it (an io_uring, Linux 5.6+), else one
 * call each with the same outcomes; each entry's {@link #failure}; {@link #clear()} for the next batch.
 *
 * <p>Not thread-safe: one thread uses a batch, and a socket is in one batch of each kind at a time (a second
 * entry for it could tear its stream). Making a batch never waits for a peer.
 */
public abstract sealed class SocketBatch implements AutoCloseable permits SendBatch, ReceiveBatch {
    /** The most entries a batch can hold. */
    public static final int MAX_CAPACITY = Transfers.MAX_CAPACITY;

    final Transfers transfers;

    SocketBatch(Transfers transfers) {
        this.transfers = transfers;
    }

    /** {@return whether one system call makes a whole batch (io_uring), rather than one call per entry} */
    public final boolean batched() {
        return transfers.batched();
    }

    /** {@return how the entries are made and, without io_uring, why} */
    public final String mechanism() {
        return transfers.mechanism();
    }

    /** {@return the most entries this batch holds} */
    public final int capacity() {
        return transfers.capacity();
    }

    /** {@return the entries added since the last clear} */
    public final int size() {
        return transfers.size();
    }

    /** {@return whether no more entries fit} */
    public final boolean isFull() {
        return transfers.isFull();
    }

    /**
     * Adds an entry: {@code socket} and {@code buffer}'s bytes {@code [offset, offset + length)}, to send, or
     * room to receive into.
     *
     * @param socket the socket
     * @param buffer a direct buffer (writable, to receive into); its position and limit are not used
     * @param offset where the entry's bytes start in the buffer
     * @param length how many
     * @return the entry's index, for its outcome
     * @throws IllegalArgumentException if the buffer is not direct (or is read-only, to receive into), or the
     *                                  socket is in this batch already
     * @throws IndexOutOfBoundsException if the range is outside the buffer
     * @throws IllegalStateException if the batch is full, was made and not cleared, or is closed
     */
    public final int add(StreamSocket socket, ByteBuffer buffer, int offset, int length) {
        return transfers.add(socket, buffer, offset, length);
    }

    /**
     * Why entry {@code index} failed (its socket was closed, or the peer has gone or reset the connection), or
     * null if it did not; nothing was transferred then.
     *
     * @param index the entry's index, as {@link #add} returned it
     * @return the failure, or null
     * @throws IllegalStateException if the batch has not been made
     */
    public final IOException failure(int index) {
        return transfers.failure(index);
    }

    /** Empties the batch (its outcomes too), for the next entries. */
    public final void clear() {
        transfers.clear();
    }

    /** Closes the batch and its ring; harmless twice. Not while the batch is being made on another thread. */
    @Override
    public final void close() {
        transfers.close();
    }
}
