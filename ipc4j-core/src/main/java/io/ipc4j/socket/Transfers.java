package io.ipc4j.socket;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;
import io.ipc4j.internal.posix.TransferRing;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What {@link SendBatch} and {@link ReceiveBatch} share: the entries, the io_uring or the one-call-each way, the
 * sockets' locks and descriptors held while the kernel uses them, and each entry's outcome. Not thread-safe.
 */
final class Transfers implements AutoCloseable {
    /** The most entries a batch can hold. */
    static final int MAX_CAPACITY = 4096;
    private static final int UNMADE = Integer.MIN_VALUE;

    private final boolean receive;
    private final TransferRing ring;
    private final String mechanism;
    private final StreamSocket[] sockets;
    private final ByteBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;
    /** Per entry, once made: the count (see {@link #count}). */
    private final int[] counts;
    private final IOException[] failures;
    /** Per entry: whether the ring's submit holds the socket's lock and an operation on its descriptor. */
    private final boolean[] held;
    private int size;
    private boolean made;
    private boolean closed;

    private Transfers(boolean receive, int capacity, TransferRing ring, String mechanism) {
        this.receive = receive;
        this.ring = ring;
        this.mechanism = mechanism;
        this.sockets = new StreamSocket[capacity];
        this.buffers = new ByteBuffer[capacity];
        this.offsets = new int[capacity];
        this.lengths = new int[capacity];
        this.counts = new int[capacity];
        this.failures = new IOException[capacity];
        this.held = new boolean[capacity];
    }

    /** Receives ({@code receive}) or sends, on an io_uring if {@code useRing} and the kernel allows one. */
    static Transfers open(boolean receive, int capacity, boolean useRing) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_CAPACITY + " entries, not " + capacity);
        }
        String call = receive ? "recv(2)" : "send(2)";
        if (!useRing) {
            return new Transfers(receive, capacity, null, "one " + call + " per entry (io_uring not asked for)");
        }
        try {
            TransferRing ring = TransferRing.open(capacity);
            return new Transfers(receive, Math.min(capacity, ring.capacity()), ring,
                    "io_uring, one io_uring_enter(2) a batch");
        } catch (IOException | UnsupportedOperationException e) {
            return new Transfers(receive, capacity, null, "one " + call + " per entry (" + e.getMessage() + ")");
        }
    }

    boolean batched() {
        return ring != null;
    }

    String mechanism() {
        return mechanism;
    }

    int capacity() {
        return sockets.length;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == sockets.length;
    }

    int add(StreamSocket socket, ByteBuffer buffer, int offset, int length) {
        Objects.requireNonNull(socket, "socket");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a batch " + (receive ? "receives into" : "sends from")
                    + " direct buffers (the kernel uses them after add returns); use a direct buffer");
        }
        if (receive && buffer.isReadOnly()) {
            throw new IllegalArgumentException("a batch cannot receive into a read-only buffer");
        }
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        if (closed || made || isFull()) {
            throw new IllegalStateException(closed ? "the batch is closed" : made
                    ? "the batch was made: clear() it before adding again" : "the batch is full: make it first");
        }
        if (membership(socket) == this) {
            throw new IllegalArgumentException(socket + " is in this batch already: " + (receive
                    ? "a second receive would split its bytes between two buffers; give it one larger entry"
                    : "a second send could follow a partial first one; gather its bytes into one entry"));
        }
        join(socket, this);
        sockets[size] = socket;
        buffers[size] = buffer;
        offsets[size] = offset;
        lengths[size] = length;
        return size++;
    }

    private Transfers membership(StreamSocket socket) {
        return receive ? socket.receiveBatch : socket.sendBatch;
    }

    private void join(StreamSocket socket, Transfers batch) {
        if (receive) {
            socket.receiveBatch = batch;
        } else {
            socket.sendBatch = batch;
        }
    }

    private ReentrantLock lock(StreamSocket socket) {
        return receive ? socket.receiveLock : socket.sendLock;
    }

    /** Makes every entry's transfer: those whose sockets are free on the ring, the others one call each. */
    void make() {
        if (closed || made) {
            throw new IllegalStateException(closed ? "the batch is closed" : "the batch was made already");
        }
        made = true;
        Arrays.fill(counts, 0, size, UNMADE);
        if (ring != null) {
            makeOnRing();
        }
        for (int i = 0; i < size; i++) {
            if (counts[i] == UNMADE) { // busy on another thread, or no ring
                makeAlone(i);
            }
        }
    }

    private void makeOnRing() {
        for (int i = 0; i < size; i++) {
            int fd = acquire(i);
            if (fd >= 0) {
                ring.add(receive, fd, addressOf(buffers[i], offsets[i]), lengths[i]);
            }
        }
        boolean submitted = true;
        try {
            ring.submit();
        } catch (IOException e) {
            submitted = false; // nothing was transferred: each goes alone
        }
        int result = 0;
        for (int i = 0; i < size; i++) {
            if (held[i]) {
                if (submitted) {
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
     * Takes entry {@code i}'s socket for the ring's submit: its lock for this direction (without waiting: a
     * socket busy on another thread is left for {@link #makeAlone}) and an operation on its descriptor, whose
     * number it returns; -1 if left, or closed (then its failure is recorded).
     */
    private int acquire(int i) {
        StreamSocket socket = sockets[i];
        if (!lock(socket).tryLock()) {
            return -1;
        }
        try {
            int fd = socket.handle.begin();
            held[i] = true;
            return fd;
        } catch (ClosedChannelException e) {
            lock(socket).unlock();
            fail(i, e);
            return -1;
        }
    }

    private void release(int i) {
        held[i] = false;
        sockets[i].handle.end();
        lock(sockets[i]).unlock();
    }

    /** Entry {@code i} as writeNow or readNow makes it: one call, after any call in progress on its socket. */
    private void makeAlone(int i) {
        StreamSocket socket = sockets[i];
        ReentrantLock lock = lock(socket);
        lock.lock();
        try {
            int fd = socket.handle.begin();
            try {
                MemorySegment bytes = MemorySegment.ofBuffer(buffers[i].duplicate().clear())
                        .asSlice(offsets[i], lengths[i]); // whatever the position and limit are
                record(i, (int) (receive
                        ? SocketCalls.recvfrom(fd, bytes, lengths[i], SocketCalls.MSG_DONTWAIT, MemorySegment.NULL,
                                MemorySegment.NULL)
                        : SocketCalls.sendto(fd, bytes, lengths[i], MemorySegment.NULL, 0)));
            } finally {
                socket.handle.end();
            }
        } catch (ClosedChannelException e) {
            fail(i, e);
        } finally {
            lock.unlock();
        }
    }

    private void record(int i, int result) {
        if (result == -Errno.EAGAIN) {
            counts[i] = 0;
        } else if (result >= 0) {
            counts[i] = receive && result == 0 && lengths[i] > 0 ? -1 : result;
        } else {
            fail(i, Failures.of(receive ? "recv" : "send", sockets[i].description, -result));
        }
    }

    private void fail(int i, IOException e) {
        counts[i] = 0;
        failures[i] = e;
    }

    /** Bytes entry {@code index} moved; for a receive -1 at the end of the stream; 0 after a failure. */
    int count(int index) {
        return counts[checkMade(index)];
    }

    IOException failure(int index) {
        return failures[checkMade(index)];
    }

    private int checkMade(int index) {
        Objects.checkIndex(index, size);
        if (!made) {
            throw new IllegalStateException("the batch has not been made yet");
        }
        return index;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            join(sockets[i], null);
            sockets[i] = null;
            buffers[i] = null;
            failures[i] = null;
        }
        size = 0;
        made = false;
    }

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
