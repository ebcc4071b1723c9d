package io.ipc4j.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * Receives from many stream sockets at once, each receive as {@link StreamSocket#readNow(ByteBuffer)} makes it
 * (what the socket holds now, never waiting), all of them with one system call where the kernel allows it: an
 * io_uring (Linux 5.6+). A program reading many connections that its event loop reported ready, as a fan-out
 * client or a proxy does, then pays one kernel entry per turn instead of one per connection. Where io_uring is
 * missing or refused, each entry is one recv(2), with the same outcomes: {@link #batched()} says which.
 * {@link SendBatch} is its counterpart for writing.
 *
 * <h2>Use</h2>
 * {@link #add} entries (a socket and room in a direct buffer), {@link #receive()}, read each entry's
 * {@link #received} count or {@link #failure}, then {@link #clear()} for the next batch. A socket may be in a
 * batch once. The bytes arrive at the entry's offset; the buffers' positions are not moved.
 *
 * <h2>Threads and blocking</h2>
 * Not thread-safe: one thread uses a batch, and a socket is in one batch at a time. {@code receive} never waits
 * for a peer; it is serialised with the sockets' other receives: a socket another thread is receiving on at
 * that moment gets its entry made after the batch, waiting for that receive as {@code readNow} does. A socket
 * closed before {@code receive} gets a {@link ClosedChannelException} as its failure, a reset connection the
 * receive's IOException (ECONNRESET); neither affects the other entries.
 */
public final class ReceiveBatch extends SocketBatch {
    private ReceiveBatch(Transfers transfers) {
        super(transfers);
    }

    /**
     * A batch of up to {@code capacity} entries, on an io_uring where the kernel allows one.
     *
     * @param capacity 1 to {@link #MAX_CAPACITY}
     * @return the batch; never fails for want of io_uring (see {@link #batched()})
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public static ReceiveBatch open(int capacity) {
        return open(capacity, true);
    }

    /** As {@link #open(int)}; without {@code useRing}, one recv(2) per entry, as where io_uring is refused. */
    static ReceiveBatch open(int capacity, boolean useRing) {
        return new ReceiveBatch(Transfers.open(true, capacity, useRing));
    }

    /**
     * Makes every entry's receive. Afterwards each entry has a {@link #received} count or a {@link #failure};
     * the batch keeps them until {@link #clear()}.
     *
     * @throws IllegalStateException if the batch was made already or is closed
     */
    public void receive() {
        transfers.make();
    }

    /**
     * Bytes entry {@code index} received, at its offset: 0 if the socket held none (or the receive failed),
     * -1 if the peer has closed its end (as {@link StreamSocket#readNow} says).
     *
     * @param index the entry's index, as {@link #add} returned it
     * @return the count, or -1
     * @throws IllegalStateException if the batch has not been made
     */
    public int received(int index) {
        return transfers.count(index);
    }
}
