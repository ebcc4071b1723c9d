package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;

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
 * <li>Messages arrive whole, in order, each with the int type (0 and up) it was sent with; none is lost or
 * duplicated.
 * One {@link Sender} and one {@link Receiver} at a time, machine-wide: a second live one is refused. Each is
 * for one thread at a time.</li>
 * <li>The region starts with a header (magic, version, kind, capacity, length, creator): a foreign, corrupt or
 * other-version region is a {@link ChannelFormatException} on attach, never a misread.</li>
 * <li>Back-pressure: {@link Sender#offer} returns false when the ring is full; {@link Sender#send} waits, at
 * most its timeout.</li>
 * <li>Dead peers: each side records its pid and process start time; a side waiting on a peer that died gets
 * {@link PeerDeadException} within about 100 ms.</li>
 * <li>Nothing is allocated per message. Waiting follows a {@link WaitStrategy}; parking is a futex wait, a
 * native call: on a virtual thread it holds the carrier while parked (a native wait cannot unmount); to wait
 * with other objects, see {@link io.ipc4j.event}.</li>
 * </ul>
 */
public final class OneToOneChannel extends RingChannel {
    private OneToOneChannel(String name, SharedMemory shm) {
        super(name, shm, capacityOf(shm));
    }

    /**
     * Creates the channel {@code name} (a POSIX shared memory name) with a ring of {@code capacity} bytes.
     *
     * @param name its name
     * @param capacity the capacity in bytes
     * @return the {@code OneToOneChannel}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OneToOneChannel create(String name, int capacity) throws IOException {
        return new OneToOneChannel(name, createRegion(name, capacity, KIND_ONE_TO_ONE));
    }

    /**
     * Attaches to an existing channel, checking its header.
     *
     * @param name its name
     * @return the {@code OneToOneChannel}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OneToOneChannel open(String name) throws IOException {
        return new OneToOneChannel(name, openRegion(name, KIND_ONE_TO_ONE));
    }

    @Override
    boolean receiverClears() {
        return false; // the sender zeroes the next header at each commit
    }

    /**
     * Becomes the channel's sender; IllegalStateException if a live process already is.
     *
     * @return the {@code Sender}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Sender sender() throws IOException {
        claim(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET, "sender");
        boolean fenceless = AsymmetricFence.senderRegistered();
        header.putIntVolatile(SENDER_FENCELESS_OFFSET, fenceless ? 1 : 0); // before any fenceless publish
        return new Sender(fenceless);
    }

    /** The sending side. One thread at a time. */
    public final class Sender {
        /** A head cache that no send finds room under: set while a claim is open. */
        private static final long CLAIM_OPEN = Long.MIN_VALUE / 2;

        private final SharedBuffer buffer = new SharedBuffer(ring);
        private final BufferSegments sources = new BufferSegments();
        private final PendingClaim pending = new PendingClaim();
        /** Whether this process registered for membarrier: publishes then need no full fence. */
        private final boolean fenceless;
        private long tail = header.getLongVolatile(TAIL_OFFSET);
        private long headCache = header.getLongVolatile(HEAD_OFFSET);
        private long headBeforeClaim;
        private WaitStrategy strategy = WaitStrategy.SPIN_PARK;

        private Sender(boolean fenceless) {
            this.fenceless = fenceless;
        }

        /**
         * How {@link #send} waits while the ring is full: BUSY_SPIN spins; SPIN_PARK (the default) spins a while
         * when this process may use more than one CPU, then yields and sleeps for growing intervals up to 1 ms;
         * SPIN_YIELD does the latter at once.
         *
         * @param waitStrategy how to wait
         * @return how {@link #send} waits while the ring is full: BUSY_SPIN spins
         */
        public Sender waitStrategy(WaitStrategy waitStrategy) {
            this.strategy = Objects.requireNonNull(waitStrategy);
            return this;
        }

        /**
         * Sends the buffer's remaining bytes with {@code type} if there is room now; false if the ring is full.
         *
         * @param type the message type
         * @param message the message: the buffer's remaining bytes
         * @return true if it was sent, false if the ring is full
         */
        public boolean offer(int type, ByteBuffer message) {
            checkType(type);
            int position = message.position();
            int length = message.limit() - position;
            if (length > maxLength) {
                throw tooLong(length);
            }
            int aligned = align(length + RECORD_HEADER);
            long tail = this.tail;
            int index = (int) tail & mask;
            if (aligned > capacity - index || tail + aligned + RECORD_HEADER - headCache > capacity) {
                return offerSlowly(type, message);
            }
            MemorySegment.copy(sources.of(message), position, ring, index + RECORD_HEADER, length);
            publish(index, aligned, length + RECORD_HEADER, type);
            message.position(position + length);
            return true;
        }

        /**
         * Offer's way at the end of the ring (a padding record first), when the cached head says the ring is full
         * (then the head is read again), or while a claim is open (refused: the claim holds the next record).
         */
        private boolean offerSlowly(int type, ByteBuffer message) {
            int length = message.remaining();
            int offset = claim(type, length);
            if (offset < 0) {
                return false;
            }
            MemorySegment.copy(sources.of(message), message.position(), ring, offset, length);
            commit(offset, length);
            message.position(message.limit());
            return true;
        }

        /**
         * Sends, waiting while the ring is full, at most {@code timeout}.
         *
         * @param type the message type
         * @param message the message: the buffer's remaining bytes
         * @param timeout the longest this call waits
         * @throws IpcTimeoutException if the ring stayed full (the buffer is untouched).
         * @throws PeerDeadException if the receiver died while the ring was full.
         */
        public void send(int type, ByteBuffer message, Duration timeout) throws IOException {
            if (!offer(type, message)) {
                sendWaiting(() -> offer(type, message), strategy, timeout);
            }
        }

        /**
         * Zero-copy: reserves room for a {@code length}-byte message and returns the offset in {@link #ring()}
         * where its payload goes, or -1 if the ring is full. Write the payload, then {@link #commit}.
         *
         * @param type the message type
         * @param length the length in bytes
         * @return the offset in {@link #ring()} where its payload goes, or -1 if the ring is full
         */
        public int claim(int type, int length) {
            checkType(type);
            if (pending.isOpen()) {
                throw new IllegalStateException("a claim is open: commit it before the next claim or offer");
            }
            if (length < 0 || length > maxLength) {
                throw tooLong(length);
            }
            int aligned = align(length + RECORD_HEADER);
            int index = (int) (tail & mask);
            int toEnd = capacity - index;
            // room for the record, any padding before it, and the next record's header, which commit zeroes
            int needed = (aligned <= toEnd ? aligned : toEnd + aligned) + RECORD_HEADER;
            if (tail + needed - headCache > capacity) {
                headCache = header.getLongVolatile(HEAD_OFFSET);
                if (tail + needed - headCache > capacity) {
                    return -1;
                }
            }
            if (aligned > toEnd) {
                buffer.putLong(0, 0L); // a stale header at the start must not show once the padding is read
                putPadding(buffer, index, toEnd);
                tail += toEnd;
                index = 0;
            }
            headBeforeClaim = headCache;
            headCache = CLAIM_OPEN; // until the commit, offers fail the fast path's room check; the slow one refuses
            return pending.open(index, type, length, aligned); // the type is written with the length at commit
        }

        /**
         * Publishes the message claimed at payload offset {@code payloadOffset}, {@code length} bytes long: at most
         * the claimed length (claim the most a message may need, commit what was written).
         *
         * @param payloadOffset the payload offset {@code claim} returned
         * @param length the length in bytes
         * @throws IllegalStateException if nothing was claimed at that offset.
         * @throws IllegalArgumentException if {@code length} is above the claimed length; the claim stays open.
         */
        public void commit(int payloadOffset, int length) {
            int type = pending.type();
            int aligned = pending.aligned();
            int index = pending.commit(payloadOffset, length);
            headCache = headBeforeClaim;
            publish(index, aligned, length + RECORD_HEADER, type);
        }

        /**
         * Zeroes the next record's header (the release of this record's header publishes that too, so the
         * receiver never writes the ring), commits this record's header and moves the tail.
         */
        private void publish(int index, int aligned, int recordLength, int type) {
            long next = tail + aligned;
            tail = next;
            RING_LONG.set(ring, (long) ((int) next & mask), 0L);
            publishRecord(index, recordLength, type, fenceless);
            RING_LONG.setRelease(headerSegment, TAIL_OFFSET, next);
        }

        private IllegalArgumentException tooLong(int length) {
            return new IllegalArgumentException("message length " + length + " is outside 0.." + maxLength
                    + " (an eighth of the channel's capacity, minus 8)");
        }

        /**
         * The ring, for writing a claimed payload.
         *
         * @return the ring, for writing a claimed payload
         */
        public MemorySegment ring() {
            return ring;
        }
    }

}
