package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.Backoff;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.ProcessStart;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.Futex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import static io.ipc4j.channel.ChannelDescriptor.*;

/**
 * A one-way, one-sender, one-receiver channel of variable-length messages in POSIX shared memory: the fast
 * path between two processes (a ring buffer in the style of Agrona's OneToOneRingBuffer).
 *
 * <pre>{@code
 * // receiver process
 * try (OneToOneChannel ch = OneToOneChannel.create("/ticks", 1 << 20)) {
 *     OneToOneChannel.Receiver rx = ch.receiver();
 *     int type = rx.receive(buffer, Duration.ofSeconds(5));
 * } finally { OneToOneChannel.unlink("/ticks"); }
 * // sender process
 * try (OneToOneChannel ch = OneToOneChannel.open("/ticks")) {
 *     ch.sender().send(1, ByteBuffer.wrap(bytes), Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Messages arrive whole, in order, each with the int type it was sent with; none is lost or duplicated.
 * One {@link Sender} and one {@link Receiver} at a time, machine-wide: a second live one is refused. Each is
 * for one thread at a time.</li>
 * <li>The region starts with a header (magic, version, kind, capacity, length, creator): a foreign, corrupt or
 * other-version region is a {@link ChannelFormatException} on attach, never a misread.</li>
 * <li>Back-pressure: {@link Sender#offer} returns false when the ring is full; {@link Sender#send} waits, at
 * most its timeout.</li>
 * <li>Dead peers: each side records its pid and process start time; a side waiting on a peer that died gets
 * {@link PeerDeadException} within about 100 ms.</li>
 * <li>Nothing is allocated per message. Waiting follows a {@link WaitStrategy}; parking is a futex wait, a
 * native call that pins a virtual thread's carrier.</li>
 * </ul>
 */
public final class OneToOneChannel implements AutoCloseable {
    private static final long CHECK_NANOS = 100_000_000L;

    private final String name;
    private final SharedMemory shm;
    private final SharedBuffer header;
    private final MemorySegment ring;
    private final int capacity;
    private final int mask;

    private OneToOneChannel(String name, SharedMemory shm, int capacity) {
        this.name = name;
        this.shm = shm;
        this.header = shm.buffer();
        this.ring = shm.segment().asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /** Creates the channel {@code name} (a POSIX shared memory name) with a ring of {@code capacity} bytes. */
    public static OneToOneChannel create(String name, int capacity) throws IOException {
        if (capacity < 1024 || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("channel capacity " + capacity + " must be a power of two from 1024 "
                    + "to 1 GiB");
        }
        SharedMemory shm = SharedMemory.create(name, HEADER_LENGTH + (long) capacity);
        SharedBuffer h = shm.buffer();
        h.putInt(VERSION_OFFSET, VERSION);
        h.putInt(KIND_OFFSET, KIND_ONE_TO_ONE);
        h.putLong(CAPACITY_OFFSET, capacity);
        h.putLong(LENGTH_OFFSET, HEADER_LENGTH + (long) capacity);
        h.putInt(CREATOR_PID_OFFSET, Spawn.currentPid());
        h.putLong(CREATOR_START_OFFSET, ProcessStart.self());
        h.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a region with the magic is complete
        return new OneToOneChannel(name, shm, capacity);
    }

    /** Attaches to an existing channel, checking its header. */
    public static OneToOneChannel open(String name) throws IOException {
        SharedMemory shm = SharedMemory.open(name);
        try {
            return new OneToOneChannel(name, shm, validate(name, shm));
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    private static int validate(String name, SharedMemory shm) throws ChannelFormatException {
        if (shm.size() < HEADER_LENGTH) {
            throw new ChannelFormatException(name + " is not an ipc4j channel: " + shm.size() + " bytes is smaller "
                    + "than a channel header");
        }
        SharedBuffer h = shm.buffer();
        long magic = h.getLongVolatile(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ChannelFormatException(name + " is not an ipc4j channel (magic 0x" + Long.toHexString(magic)
                    + "): another program's shared memory, or a channel still being created");
        }
        int version = h.getInt(VERSION_OFFSET);
        int kind = h.getInt(KIND_OFFSET);
        if (version != VERSION || kind != KIND_ONE_TO_ONE) {
            throw new ChannelFormatException(name + " is a channel of version " + version + ", kind " + kind
                    + "; this ipc4j reads version " + VERSION + ", kind " + KIND_ONE_TO_ONE + " (one-to-one)");
        }
        long capacity = h.getLong(CAPACITY_OFFSET);
        long length = h.getLong(LENGTH_OFFSET);
        if (capacity < 1024 || capacity > (1 << 30) || Long.bitCount(capacity) != 1
                || length != HEADER_LENGTH + capacity || shm.size() < length) {
            throw new ChannelFormatException(name + " has a corrupt header: capacity " + capacity + ", length "
                    + length + ", region " + shm.size() + " bytes");
        }
        return (int) capacity;
    }

    /** Removes the channel's name; attached processes keep working. False if it was gone. */
    public static boolean unlink(String name) throws IOException {
        return SharedMemory.unlink(name);
    }

    /** The longest message: an eighth of the ring, so that a full message always fits once the ring drains. */
    public int maxMessageLength() {
        return capacity / 8 - RECORD_HEADER;
    }

    public int capacity() {
        return capacity;
    }

    public String name() {
        return name;
    }

    /** Becomes the channel's sender; IllegalStateException if a live process already is. */
    public Sender sender() throws IOException {
        claim(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET, "sender");
        return new Sender();
    }

    /** Becomes the channel's receiver; IllegalStateException if a live process already is. */
    public Receiver receiver() throws IOException {
        claim(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET, "receiver");
        return new Receiver();
    }

    private void claim(long pidOffset, long startOffset, String role) {
        int self = Spawn.currentPid();
        while (true) {
            int pid = header.getIntVolatile(pidOffset);
            if (pid != 0 && pid != self && ProcessStart.alive(pid, header.getLongVolatile(startOffset))) {
                throw new IllegalStateException(name + " already has a live " + role + ": pid " + pid);
            }
            if (header.compareAndSetInt(pidOffset, pid, self)) {
                header.putLongVolatile(startOffset, ProcessStart.self());
                return;
            }
        }
    }

    private boolean peerDead(long pidOffset, long startOffset) {
        int pid = header.getIntVolatile(pidOffset);
        return pid != 0 && !ProcessStart.alive(pid, header.getLongVolatile(startOffset));
    }

    /** Unmaps this process's view; the channel stays until {@link #unlink}. */
    @Override
    public void close() {
        shm.close();
    }

    @Override
    public String toString() {
        return "channel " + name + " (" + capacity + " bytes)";
    }

    /** The sending side. One thread at a time. */
    public final class Sender {
        private long tail = header.getLongVolatile(TAIL_OFFSET);
        private long headCache = header.getLongVolatile(HEAD_OFFSET);

        private Sender() {
        }

        /** Sends the buffer's remaining bytes with {@code type} if there is room now; false if the ring is full. */
        public boolean offer(int type, ByteBuffer message) {
            int length = message.remaining();
            int offset = claim(type, length);
            if (offset < 0) {
                return false;
            }
            MemorySegment.copy(MemorySegment.ofBuffer(message), 0, ring, offset, length);
            commit(offset, length);
            message.position(message.limit());
            return true;
        }

        /**
         * Sends, waiting while the ring is full, at most {@code timeout}.
         *
         * @throws IpcTimeoutException if the ring stayed full (the buffer is untouched).
         * @throws PeerDeadException if the receiver died while the ring was full.
         */
        public void send(int type, ByteBuffer message, Duration timeout) throws IOException {
            if (offer(type, message)) {
                return;
            }
            long deadline = FdHandle.deadline(timeout);
            long nextCheck = System.nanoTime() + CHECK_NANOS;
            Backoff backoff = new Backoff();
            while (!offer(type, message)) {
                if (!backoff.idle(deadline)) {
                    throw new IpcTimeoutException("send(" + name + "): the channel is full", timeout, 0);
                }
                if (System.nanoTime() - nextCheck > 0) {
                    nextCheck = System.nanoTime() + CHECK_NANOS;
                    if (peerDead(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET)) {
                        throw new PeerDeadException("send(" + name + "): the receiver, pid "
                                + header.getIntVolatile(CONSUMER_PID_OFFSET) + ", died with the channel full");
                    }
                }
            }
        }

        /**
         * Zero-copy: reserves room for a {@code length}-byte message and returns the offset in {@link #ring()}
         * where its payload goes, or -1 if the ring is full. Write the payload, then {@link #commit}.
         */
        public int claim(int type, int length) {
            if (length < 0 || length > maxMessageLength()) {
                throw new IllegalArgumentException("message length " + length + " is outside 0.."
                        + maxMessageLength() + " (an eighth of the channel's capacity, minus 8)");
            }
            int aligned = align(length + RECORD_HEADER);
            int index = (int) (tail & mask);
            int toEnd = capacity - index;
            int needed = aligned <= toEnd ? aligned : toEnd + aligned;
            if (tail + needed - headCache > capacity) {
                headCache = header.getLongVolatile(HEAD_OFFSET);
                if (tail + needed - headCache > capacity) {
                    return -1;
                }
            }
            if (aligned > toEnd) {
                ring.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, index + 4L, PADDING_TYPE);
                buffer.putIntVolatile(index, toEnd);
                tail += toEnd;
                index = 0;
            }
            ring.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, index + 4L, type);
            pendingIndex = index;
            pendingAligned = aligned;
            return index + RECORD_HEADER;
        }

        private int pendingIndex = -1;
        private int pendingAligned;
        private final SharedBuffer buffer = new SharedBuffer(ring);

        /** Publishes the message claimed at payload offset {@code payloadOffset}, of {@code length} bytes. */
        public void commit(int payloadOffset, int length) {
            int index = payloadOffset - RECORD_HEADER;
            if (index != pendingIndex) {
                throw new IllegalStateException("commit of offset " + payloadOffset + " without a matching claim");
            }
            pendingIndex = -1;
            tail += pendingAligned;
            if (header.getIntAcquire(RECEIVER_PARKS_OFFSET) == 0) {
                buffer.putIntRelease(index, length + RECORD_HEADER); // a spinning receiver needs no wake-up
                header.putLongRelease(TAIL_OFFSET, tail);
                return;
            }
            buffer.putIntVolatile(index, length + RECORD_HEADER); // volatile: ordered before the waiting check
            header.putLongRelease(TAIL_OFFSET, tail);
            if (header.getIntVolatile(CONSUMER_WAITING_OFFSET) != 0) {
                header.getAndAddInt(WAKE_SEQUENCE_OFFSET, 1);
                wake();
            }
        }

        /** The ring, for writing a claimed payload. */
        public MemorySegment ring() {
            return ring;
        }
    }

    private void wake() {
        try {
            Futex.wake(shm.segment(), WAKE_SEQUENCE_OFFSET, 1);
        } catch (IOException e) {
            throw new IllegalStateException("futex wake on " + name + " failed", e);
        }
    }

    /** Called with each message: a view of the ring, valid only during the call. */
    @FunctionalInterface
    public interface MessageHandler {
        void onMessage(int type, MemorySegment ring, int offset, int length);
    }

    /** The receiving side. One thread at a time. */
    public final class Receiver {
        private final SharedBuffer buffer = new SharedBuffer(ring);
        private long head = header.getLongVolatile(HEAD_OFFSET);
        private WaitStrategy strategy = WaitStrategy.SPIN_PARK;
        private final int spins = Runtime.getRuntime().availableProcessors() > 1 ? 2_000 : 0;

        private Receiver() {
            header.putIntVolatile(RECEIVER_PARKS_OFFSET, 1);
        }

        /** How {@link #receive} waits. Tells the sender whether it must ever wake this receiver. */
        public Receiver waitStrategy(WaitStrategy waitStrategy) {
            this.strategy = Objects.requireNonNull(waitStrategy);
            header.putIntVolatile(RECEIVER_PARKS_OFFSET, waitStrategy == WaitStrategy.SPIN_PARK ? 1 : 0);
            return this;
        }

        /** Hands up to {@code limit} waiting messages to {@code handler}; returns how many. Never waits. */
        public int poll(MessageHandler handler, int limit) {
            int count = 0;
            while (count < limit) {
                int index = (int) (head & mask);
                int length = buffer.getIntAcquire(index);
                if (length <= 0) {
                    break;
                }
                int type = ring.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, index + 4L);
                int aligned = type == PADDING_TYPE ? length : align(length);
                if (type != PADDING_TYPE) {
                    handler.onMessage(type, ring, index + RECORD_HEADER, length - RECORD_HEADER);
                    count++;
                }
                clear(index, aligned);
                head += aligned;
                header.putLongRelease(HEAD_OFFSET, head);
            }
            return count;
        }

        /** Zeroes a consumed record: word by word when small (no slice object), by memset when large. */
        private void clear(int index, int aligned) {
            if (aligned <= 128) {
                for (int i = 0; i < aligned; i += Long.BYTES) {
                    buffer.putLong(index + i, 0L);
                }
            } else {
                ring.asSlice(index, aligned).fill((byte) 0);
            }
        }

        /**
         * Receives one message into {@code dst}, waiting at most {@code timeout}.
         *
         * @return its type.
         * @throws IpcTimeoutException if none came.
         * @throws PeerDeadException if the sender died and nothing is left to read.
         */
        public int receive(ByteBuffer dst, Duration timeout) throws IOException {
            int type = receiveNow(dst);
            return type != Integer.MIN_VALUE ? type : await(dst, timeout);
        }

        private int await(ByteBuffer dst, Duration timeout) throws IOException {
            long deadline = FdHandle.deadline(timeout);
            int spun = 0;
            long nextCheck = System.nanoTime() + CHECK_NANOS;
            Backoff backoff = null;
            while (true) {
                int type = receiveNow(dst);
                if (type != Integer.MIN_VALUE) {
                    return type;
                }
                if (deadline != FdHandle.FOREVER && System.nanoTime() - deadline >= 0) {
                    throw new IpcTimeoutException("receive(" + name + ")", timeout, 0);
                }
                if (System.nanoTime() - nextCheck > 0) {
                    nextCheck = System.nanoTime() + CHECK_NANOS;
                    if (peerDead(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET) && buffer.getIntAcquire((int) (head & mask)) <= 0) {
                        throw new PeerDeadException("receive(" + name + "): the sender, pid "
                                + header.getIntVolatile(PRODUCER_PID_OFFSET) + ", died and nothing is left to read");
                    }
                }
                switch (strategy) {
                    case BUSY_SPIN -> Thread.onSpinWait();
                    case SPIN_YIELD -> {
                        backoff = backoff == null ? new Backoff() : backoff;
                        backoff.idle(deadline);
                    }
                    case SPIN_PARK -> {
                        if (spun++ < spins) {
                            Thread.onSpinWait();
                        } else {
                            park(deadline);
                        }
                    }
                }
            }
        }

        /** Announces the sleep, re-checks, then sleeps on the wake sequence for at most 100 ms. */
        private void park(long deadline) throws IOException {
            int sequence = header.getIntVolatile(WAKE_SEQUENCE_OFFSET);
            header.putIntVolatile(CONSUMER_WAITING_OFFSET, 1);
            try {
                if (buffer.getIntVolatile((int) (head & mask)) <= 0) {
                    long nanos = CHECK_NANOS;
                    if (deadline != FdHandle.FOREVER) {
                        nanos = Math.max(1, Math.min(nanos, deadline - System.nanoTime()));
                    }
                    Futex.await(shm.segment(), WAKE_SEQUENCE_OFFSET, sequence, Duration.ofNanos(nanos));
                }
            } finally {
                header.putIntVolatile(CONSUMER_WAITING_OFFSET, 0);
            }
        }

        private ByteBuffer target;
        private int received;
        private final MessageHandler copier = (type, r, offset, length) -> {
            if (length > target.remaining()) {
                throw new IllegalArgumentException("a " + length + "-byte message does not fit the buffer's "
                        + target.remaining() + " bytes; receive with a buffer of maxMessageLength()");
            }
            MemorySegment.copy(r, offset, MemorySegment.ofBuffer(target), 0, length);
            target.position(target.position() + length);
            received = type;
        };

        /** Receives one message into {@code dst} if there is one: its type, or Integer.MIN_VALUE. Never waits. */
        public int receiveNow(ByteBuffer dst) {
            target = dst;
            try {
                return poll(copier, 1) == 1 ? received : Integer.MIN_VALUE;
            } finally {
                target = null;
            }
        }
    }
}
