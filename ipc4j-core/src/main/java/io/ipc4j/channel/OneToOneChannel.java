package io.ipc4j.channel;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.IpcTimeoutException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * A one-way, one-sender, one-receiver channel of variable-length messages in POSIX shared memory: the fast
 * path between two processes (a ring buffer in the style of Agrona's OneToOneRingBuffer).
 *
 * <pre>{@code
 * // receiver process
 * try (OneToOneChannel ch = OneToOneChannel.create("/ticks", 1 << 20)) {
 *     RingReceiver rx = ch.receiver();
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
 * One {@link Sender} and one {@link RingReceiver} at a time, machine-wide: a second live one is refused. Each is
 * for one thread at a time.</li>
 * <li>The region starts with a header (magic, version, kind, capacity, length, creator): a foreign, corrupt or
 * other-version region is a {@link ChannelFormatException} on attach, never a misread.</li>
 * <li>Back-pressure: {@link Sender#offer} returns false when the ring is full; {@link Sender#send} waits, at
 * most its timeout.</li>
 * <li>Dead peers: each side records its pid and process start time; a side waiting on a peer that died gets
 * {@link PeerDeadException} within about 100 ms.</li>
 * <li>Nothing is allocated per message. Waiting follows each side's {@link IdleStrategy}; the default
 * sleeps on a futex, a native call: on a virtual thread it holds the carrier while asleep (a native wait cannot
 * unmount); to wait with other objects, see {@link RingReceiver#doorbell()}.</li>
 * <li>The region may also be a segment of the caller's ({@link #format}, {@link #attach}): a mapped file, a
 * System V segment, or heap memory, where one process's threads can use it and the ring logic can be tested.</li>
 * </ul>
 */
public final class OneToOneChannel extends RingChannel {
    private OneToOneChannel(ChannelRegion region) {
        super(region, "one-to-one");
    }

    /**
     * Creates the channel {@code name} (a POSIX shared memory name) with a ring of {@code capacity} bytes.
     *
     * @param name its name
     * @param capacity the ring's capacity in bytes: a power of two from 1024 to 1 GiB
     * @return the channel, attached
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OneToOneChannel create(String name, int capacity) throws IOException {
        return new OneToOneChannel(ChannelRegion.create(name, capacity, KIND_ONE_TO_ONE));
    }

    /**
     * Attaches to an existing channel, checking its header.
     *
     * @param name its name
     * @return the channel, attached
     * @throws ChannelFormatException if the region is not a one-to-one channel this ipc4j reads
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OneToOneChannel open(String name) throws IOException {
        return new OneToOneChannel(ChannelRegion.open(name, KIND_ONE_TO_ONE));
    }

    /**
     * Writes a new channel over the whole of {@code memory}: a 512-byte header, then the ring (the rest: a power
     * of two from 1024 bytes to 1 GiB). The memory stays the caller's; closing the channel leaves it.
     *
     * @param memory 8-byte aligned memory: a mapping, or heap memory ({@code MemorySegment.ofArray(new long[n])})
     * @param description what to call the channel in messages
     * @return the channel
     */
    public static OneToOneChannel format(MemorySegment memory, String description) {
        return new OneToOneChannel(ChannelRegion.format(memory, description, KIND_ONE_TO_ONE));
    }

    /**
     * Attaches to the channel that {@code memory} holds, checking its header.
     *
     * @param memory the memory {@link #format} wrote
     * @param description what to call the channel in messages
     * @return the channel
     * @throws ChannelFormatException if the memory does not hold a one-to-one channel this ipc4j reads
     */
    public static OneToOneChannel attach(MemorySegment memory, String description) throws ChannelFormatException {
        return new OneToOneChannel(ChannelRegion.attach(memory, description, KIND_ONE_TO_ONE));
    }

    @Override
    boolean receiverClears() {
        return false; // the sender zeroes the next header at each commit
    }

    /**
     * Becomes the channel's sender; IllegalStateException if a live process already is.
     *
     * @return the sending side, for one thread at a time
     */
    public Sender sender() {
        region.claim(ChannelRegion.Role.SENDER, "sender");
        boolean fenceless = AsymmetricFence.senderRegistered() && region.isNative();
        region.header.putIntVolatile(SENDER_FENCELESS_OFFSET, fenceless ? ChannelLayout.SENDER_FENCELESS
                : ChannelLayout.SENDER_FENCED); // before any fenceless publish
        return new Sender(fenceless);
    }

    /** The sending side. One thread at a time. */
    public final class Sender extends RingSender {
        /** A head cache that no send finds room under: set while a claim is open. */
        private static final long CLAIM_OPEN = Long.MIN_VALUE / 2;

        private final MemorySegment ring = region.ring;
        private final MemorySegment header = region.memory;
        private final int mask = region.mask;
        private final int capacity = region.capacity;
        private final int maxLength = region.maxLength;
        private final BufferSegments sources = new BufferSegments();
        private final PendingClaim pending = new PendingClaim();
        /**
         * Whether publishes go without a full fence (this process registered for membarrier), until the receiver
         * asks for fences ({@link ChannelLayout#SENDER_ASKED_TO_FENCE}).
         */
        private boolean fenceless;
        private long tail = region.header.getLongVolatile(TAIL_OFFSET);
        private long headCache = region.header.getLongVolatile(HEAD_OFFSET);
        private long headBeforeClaim;
        private long published;

        private Sender(boolean fenceless) {
            super(region);
            this.fenceless = fenceless;
        }

        /**
         * Sets how {@link #send} idles while the ring is full. No one wakes a sender: its sleeps last at most
         * 1 ms each.
         *
         * @param strategy the idle strategy, for this sender alone
         * @return this sender
         */
        public Sender idleStrategy(IdleStrategy strategy) {
            wait.strategy(strategy);
            return this;
        }

        @Override
        public int maxMessageLength() {
            return maxLength;
        }

        @Override
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
            MemoryCalls.copy(sources.whole(message), position, ring, index + RECORD_HEADER, length);
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
            MemoryCalls.copy(sources.whole(message), message.position(), ring, offset, length);
            commit(offset, length);
            message.position(message.limit());
            return true;
        }

        @Override
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
                headCache = region.header.getLongVolatile(HEAD_OFFSET);
                if (tail + needed - headCache > capacity) {
                    return -1;
                }
            }
            if (aligned > toEnd) {
                RING_LONG.set(ring, 0L, 0L); // a stale header at the start must not show once the padding is read
                putPadding(ring, index, toEnd);
                tail += toEnd;
                index = 0;
            }
            headBeforeClaim = headCache;
            headCache = CLAIM_OPEN; // until the commit, offers fail the fast path's room check; the slow one refuses
            return pending.open(index, type, length, aligned); // the type is written with the length at commit
        }

        @Override
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
            publishRecord(index, recordLength, type);
            RING_LONG.setRelease(header, TAIL_OFFSET, next);
        }

        /**
         * Commits a record with one 8-byte store of its length and type together (little endian: the length is
         * the low word), so that the header's cache line is written once, at the end, and a spinning receiver
         * cannot pull it away between two stores. Volatile when the receiver may sleep (ordered before the check
         * of its sleep announcement), unless this sender is fenceless: the receiver fences for it.
         */
        private void publishRecord(int index, int recordLength, int type) {
            if ((++published & BEAT_EVERY) == 0) {
                region.beat(ChannelRegion.Role.SENDER);
            }
            long headerWord = ((long) type << 32) | (recordLength & 0xffff_ffffL);
            if (!receiverMaySleep()) {
                RING_LONG.setRelease(ring, (long) index, headerWord); // a spinning receiver needs no wake-up
                return;
            }
            if (fenceless
                    && region.header.getIntAcquire(SENDER_FENCELESS_OFFSET) == ChannelLayout.SENDER_ASKED_TO_FENCE) {
                // fenced from this publish on; the earlier, fenceless ones are ordered before this store, so a
                // receiver that reads SENDER_FENCED and then the ring sees them
                fenceless = false;
                region.header.putIntVolatile(SENDER_FENCELESS_OFFSET, ChannelLayout.SENDER_FENCED);
            }
            if (fenceless) {
                RING_LONG.setRelease(ring, (long) index, headerWord);
            } else {
                RING_LONG.setVolatile(ring, (long) index, headerWord);
            }
            wakeIfSleeping(fenceless);
        }

        @Override
        public MemorySegment ring() {
            return ring;
        }
    }
}
