package io.ipc4j.socket;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SendRing;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Sends to many stream sockets at once, each send as {@link StreamSocket#writeNow(ByteBuffer)} makes it (what
 * the socket takes now, never waiting), all of them with one system call where the kernel allows it: an
 * io_uring (Linux 5.6+). A server that writes to many clients each turn of its event loop, as a chat or pub/sub
 * server does, then pays one kernel entry per turn instead of one per client; where a system call costs more
 * than the send it makes (a VM with page-table isolation) that is most of the server's cost. Where io_uring is
 * missing or refused (an older kernel, {@code kernel.io_uring_disabled}, a container's seccomp filter), each
 * entry is one send(2), with the same outcomes: {@link #batched()} says which.
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
public final class SendBatch implements AutoCloseable {
    /** The most entries a batch can hold. */
    public static final int MAX_CAPACITY = 4096;

    private final SendRing ring;
    private final String mechanism;
    private final StreamSocket[] sockets;
    private final ByteBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;
    /** Per entry, after send: bytes sent, or -1 with its failure. */
    private final int[] sent;
    private final IOException[] failures;
    /** Per entry: whether send holds the socket's send lock and an operation on its handle. */
    private final boolean[] held;
    private static final int UNSENT = Integer.MIN_VALUE;
    private int size;
    private boolean sent_;
    private boolean closed;

    private SendBatch(int capacity, SendRing ring, String mechanism) {
        this.ring = ring;
        this.mechanism = mechanism;
        this.sockets = new StreamSocket[capacity];
        this.buffers = new ByteBuffer[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.sent = new int[capacity];
        this.failures = new IOException[capacity];
        this.held = new boolean[capacity];
    }

    /**
     * A batch of up to {@code capacity} entries, on an io_uring where the kernel allows one.
     *
     * @param capacity 1 to {@link #MAX_CAPACITY}
     * @return the batch; never fails for want of io_uring (see {@link #batched()})
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public static SendBatch open(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("a send batch holds 1 to " + MAX_CAPACITY + " entries, not "
                    + capacity);
        }
        return open(capacity, true);
    }

    /** As {@link #open(int)}; without {@code useRing}, one send(2) per entry, as where io_uring is refused. */
    static SendBatch open(int capacity, boolean useRing) {
        if (!useRing) {
            return new SendBatch(capacity, null, "one send(2) per entry (io_uring not asked for)");
        }
        try {
            SendRing ring = SendRing.open(capacity);
            return new SendBatch(Math.min(capacity, ring.capacity()), ring, "io_uring, one io_uring_enter(2) a batch");
        } catch (IOException | UnsupportedOperationException e) {
            return new SendBatch(capacity, null, "one send(2) per entry (" + e.getMessage() + ")");
        }
    }

    /** {@return whether one system call makes a whole batch's sends (io_uring), rather than one each} */
    public boolean batched() {
        return ring != null;
    }

    /** {@return how the sends are made and, without io_uring, why} */
    public String mechanism() {
        return mechanism;
    }

    /** {@return the most entries this batch holds} */
    public int capacity() {
        return sockets.length;
    }

    /** {@return the entries added since the last clear} */
    public int size() {
        return size;
    }

    /** {@return whether no more entries fit} */
    public boolean isFull() {
        return size == sockets.length;
    }

    /**
     * Adds a send of {@code buffer}'s bytes {@code [offset, offset + length)} to {@code socket}.
     *
     * @param socket where to send
     * @param buffer a direct buffer holding the bytes; its position and limit are not used
     * @param offset where the bytes start in the buffer
     * @param length how many
     * @return the entry's index, for {@link #sent} and {@link #failure}
     * @throws IllegalArgumentException if the buffer is not direct, or the socket is in this batch already
     * @throws IndexOutOfBoundsException if the range is outside the buffer
     * @throws IllegalStateException if the batch is full, was sent and not cleared, or is closed
     */
    public int add(StreamSocket socket, ByteBuffer buffer, int offset, int length) {
        Objects.requireNonNull(socket, "socket");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a send batch sends from direct buffers (the kernel reads them after"
                    + " add returns); copy heap bytes into a direct buffer first");
        }
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        if (closed || sent_ || isFull()) {
            throw new IllegalStateException(closed ? "the send batch is closed" : sent_
                    ? "the batch was sent: clear() it before adding again" : "the batch is full: send() it first");
        }
        if (socket.batch == this) {
            throw new IllegalArgumentException(socket + " is in this batch already: a second send could follow a"
                    + " partial first one; gather its bytes into one entry");
        }
        socket.batch = this;
        sockets[size] = socket;
        buffers[size] = buffer;
        offsets[size] = offset;
        lengths[size] = length;
        return size++;
    }

    /**
     * Makes every entry's send. Afterwards each entry has a {@link #sent} count (0 if its socket had no room)
     * or a {@link #failure}; the batch keeps them until {@link #clear()}.
     *
     * @throws IllegalStateException if the batch was sent already or is closed
     */
    public void send() {
        if (closed || sent_) {
            throw new IllegalStateException(closed ? "the send batch is closed" : "the batch was sent already");
        }
        sent_ = true;
        Arrays.fill(sent, 0, size, UNSENT);
        if (ring != null) {
            sendOnRing();
        }
        for (int i = 0; i < size; i++) {
            if (sent[i] == UNSENT) { // busy on another thread, or no ring
                sendAlone(i);
            }
        }
    }

    /** The entries whose sockets are free, in one submit; the others stay {@link #UNSENT}. */
    private void sendOnRing() {
        for (int i = 0; i < size; i++) {
            int fd = acquire(i);
            if (fd >= 0) {
                ring.add(fd, addressOf(buffers[i], offsets[i]), lengths[i]);
            }
        }
        boolean made = true;
        try {
            ring.submit();
        } catch (IOException e) {
            made = false; // nothing was sent: each goes alone
        }
        int result = 0;
        for (int i = 0; i < size; i++) {
            if (held[i]) {
                if (made) {
                    record(i, ring.result(result));
                }
                result++;
                release(i);
            }
        }
    }

    /** The address of byte {@code offset} of a direct buffer, whatever its position (a segment starts there). */
    private static long addressOf(ByteBuffer buffer, int offset) {
        return MemorySegment.ofBuffer(buffer).address() - buffer.position() + offset;
    }

    /**
     * Takes entry {@code i}'s socket for the ring's submit: its send lock (without waiting: a socket busy on
     * another thread is left for {@link #sendAlone}) and an operation on its descriptor, whose number it
     * returns; -1 if left, or closed (then its failure is recorded).
     */
    private int acquire(int i) {
        StreamSocket socket = sockets[i];
        if (!socket.sendLock.tryLock()) {
            return -1;
        }
        try {
            int fd = socket.handle.begin();
            held[i] = true;
            return fd;
        } catch (ClosedChannelException e) {
            socket.sendLock.unlock();
            fail(i, e);
            return -1;
        }
    }

    private void release(int i) {
        held[i] = false;
        sockets[i].handle.end();
        sockets[i].sendLock.unlock();
    }

    /** Entry {@code i} as writeNow would send it: one send(2), after any send in progress on its socket. */
    private void sendAlone(int i) {
        StreamSocket socket = sockets[i];
        socket.sendLock.lock();
        try {
            int fd = socket.handle.begin();
            try {
                MemorySegment bytes = MemorySegment.ofBuffer(buffers[i].duplicate().clear())
                        .asSlice(offsets[i], lengths[i]); // whatever the position and limit are
                record(i, (int) SocketCalls.sendto(fd, bytes, lengths[i], MemorySegment.NULL, 0));
            } finally {
                socket.handle.end();
            }
        } catch (ClosedChannelException e) {
            fail(i, e);
        } finally {
            socket.sendLock.unlock();
        }
    }

    private void record(int i, int result) {
        if (result >= 0 || result == -Errno.EAGAIN) {
            sent[i] = Math.max(result, 0);
        } else {
            fail(i, Failures.of("send", sockets[i].description, -result));
        }
    }

    private void fail(int i, IOException e) {
        sent[i] = 0;
        failures[i] = e;
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
        return sent[checkResult(index)];
    }

    /**
     * Why entry {@code index}'s send failed (the socket was closed, or the peer has gone), or null if it did
     * not; nothing was sent then.
     *
     * @param index the entry's index, as {@link #add} returned it
     * @return the failure, or null
     * @throws IllegalStateException if the batch has not been sent
     */
    public IOException failure(int index) {
        return failures[checkResult(index)];
    }

    private int checkResult(int index) {
        Objects.checkIndex(index, size);
        if (!sent_) {
            throw new IllegalStateException("the batch has not been sent");
        }
        return index;
    }

    /** Empties the batch (its outcomes too), for the next entries. */
    public void clear() {
        for (int i = 0; i < size; i++) {
            sockets[i].batch = null;
            sockets[i] = null;
            buffers[i] = null;
            failures[i] = null;
        }
        size = 0;
        sent_ = false;
    }

    /** Closes the batch and its ring; harmless twice. Not while {@link #send()} runs on another thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        clear();
        closed = true;
        if (ring != null) {
            ring.close();
        }
    }
}
