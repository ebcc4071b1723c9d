package io.ipc4j.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * Sends to many stream sockets at once, each send as {@link StreamSocket#writeNow(ByteBuffer)} makes it (what
 * the socket takes now, never waiting), all of them with one system call where the kernel allows it: an
 * io_uring (Linux 5.6+). A server that writes to many clients each turn of its event loop, as a chat or pub/sub
 * server does, then pays one kernel entry per turn instead of one per client; where a system call costs more
 * than the send it makes (a VM with page-table isolation) that is most of the server's cost. Where io_uring is
 * missing or refused (an older kernel, {@code kernel.io_uring_disabled}, a container's seccomp filter), each
 * entry is one send(2), with the same outcomes: {@link #batched()} says which. {@link ReceiveBatch} is its
 * counterpart for reading.
 *
 * <h2>Use</h2>
 * {@link #add} entries (a socket and bytes of a direct buffer), {@link #send()}, read each entry's
 * {@link #sent} count or {@link #failure}, then {@link #clear()} for the next batch. A socket may be in a batch
 * once (a second send could follow a partial first one and tear the stream). The buffers' bytes must not
 * change until {@code send} returns; their positions are not moved.
 *
 * <h2>Threads and blocking</h2>
 * Not thread-safe: one thread (typically an event loop's) uses a batch, and a socket is in one batch at a time.
 * {@code send} never waits for a peer; it is serialised with the sockets' other sends: a socket another thread
 * is sending on at that moment gets its entry sent after the batch, waiting for that send as {@code writeNow}
 * does. A socket closed before {@code send} gets a {@link ClosedChannelException} as its failure; a peer that
 * has gone gets the send's IOException (EPIPE, ECONNRESET); neither affects the other entries. Never SIGPIPE.
 */
public final class SendBatch extends SocketBatch {
    private SendBatch(Transfers transfers) {
        super(transfers);
    }

    /**
     * A batch of up to {@code capacity} entries, on an io_uring where the kernel allows one.
     *
     * @param capacity 1 to {@link #MAX_CAPACITY}
     * @return the batch; never fails for want of io_uring (see {@link #batched()})
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public static SendBatch open(int capacity) {
        return open(capacity, true);
    }

    /** As {@link #open(int)}; without {@code useRing}, one send(2) per entry, as where io_uring is refused. */
    static SendBatch open(int capacity, boolean useRing) {
        return new SendBatch(Transfers.open(false, capacity, useRing));
    }

    /**
     * Makes every entry's send. Afterwards each entry has a {@link #sent} count (0 if its socket had no room)
     * or a {@link #failure}; the batch keeps them until {@link #clear()}.
     *
     * @throws IllegalStateException if the batch was sent already or is closed
     */
    public void send() {
        transfers.make();
    }

    /**
     * Bytes entry {@code index} sent: all its length, fewer if its socket had room for fewer, 0 if none or if
     * it failed.
     *
     * @param index the entry's index, as {@link #add} returned it
     * @return the count
     * @throws IllegalStateException if the batch has not been sent
     */
    public int sent(int index) {
        return transfers.count(index);
    }
}
