package io.ipc4j.channel;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * A one-way channel with any number of senders, in any processes and threads, and one receiver (in the
 * style of Agrona's ManyToOneRingBuffer).
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Each sender's messages arrive in the order it sent them; messages of different senders interleave in
 * the order they claimed room. None is lost or duplicated, with one exception:</li>
 * <li>Senders claim room with a compare-and-set on the tail, mark the record as theirs (their pid, a negative
 * length), write, then commit. A sender that dies between claim and commit would block the receiver forever;
 * instead the receiver, once it has waited 100 ms on such a record and its claimer is dead, skips it and
 * counts it in {@link RingReceiver#lostMessages()}.</li>
 * <li>Zero-copy: {@link Sender#claim}, write into {@link Sender#ring()}, {@link Sender#commit} (at most the
 * claimed length), as in {@link OneToOneChannel}. Message types are 0 and up.</li>
 * <li>A {@link Sender} is for one thread; make one per thread. The receiver is as {@link OneToOneChannel}'s,
 * except that it cannot tell that all senders died (they are not registered): it waits out its timeout.</li>
 * </ul>
 */
public final class ManyToOneChannel extends RingChannel {
    private ManyToOneChannel(ChannelRegion region) {
        super(region, "many-to-one");
    }

    @Override
    boolean receiverClears() {
        return true;
    }

    /**
     * Creates the channel {@code name} (a POSIX shared memory name) with a ring of {@code capacity} bytes.
     *
     * @param name its name
     * @param capacity the ring's capacity in bytes: a power of two from 1024 to 1 GiB
     * @return the channel, attached
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static ManyToOneChannel create(String name, int capacity) throws IOException {
        return new ManyToOneChannel(ChannelRegion.create(name, capacity, KIND_MANY_TO_ONE));
    }

    /**
     * Attaches to an existing many-to-one channel, checking its header.
     *
     * @param name its name
     * @return the channel, attached
     * @throws ChannelFormatException if the region is not a many-to-one channel this ipc4j reads
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static ManyToOneChannel open(String name) throws IOException {
        return new ManyToOneChannel(ChannelRegion.open(name, KIND_MANY_TO_ONE));
    }

    /**
     * Writes a new channel over the whole of {@code memory}, as {@link OneToOneChannel#format}.
     *
     * @param memory 8-byte aligned memory: a mapping, or heap memory ({@code MemorySegment.ofArray(new long[n])})
     * @param description what to call the channel in messages
     * @return the channel
     */
    public static ManyToOneChannel format(MemorySegment memory, String description) {
        return new ManyToOneChannel(ChannelRegion.format(memory, description, KIND_MANY_TO_ONE));
    }

    /**
     * Attaches to the channel that {@code memory} holds, checking its header.
     *
     * @param memory the memory {@link #format} wrote
     * @param description what to call the channel in messages
     * @return the channel
     * @throws ChannelFormatException if the memory does not hold a many-to-one channel this ipc4j reads
     */
    public static ManyToOneChannel attach(MemorySegment memory, String description) throws ChannelFormatException {
        return new ManyToOneChannel(ChannelRegion.attach(memory, description, KIND_MANY_TO_ONE));
    }

    /**
     * A new sender for the calling thread (any number may exist).
     *
     * @return a new sending side, for one thread
     */
    public Sender sender() {
        return new Sender();
    }

    /** One thread's sending side. */
    public final class Sender extends RingSender {
        private final MemorySegment ring = region.ring;
        private final int owner = -Spawn.currentPid();
        private final BufferSegments sources = new BufferSegments();
        private final PendingClaim pending = new PendingClaim();
        /** This sender's own count, for its heartbeat: senders on other threads keep theirs. */
        private long published;

        private Sender() {
            super(region);
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
            return region.maxLength;
        }

        @Override
        public boolean offer(int type, ByteBuffer message) {
            checkType(type);
            int length = message.remaining();
            if (length > region.maxLength) {
                throw tooLong(length);
            }
            int index = claimRoom(length);
            if (index < 0) {
                return false;
            }
            MemoryCalls.copy(sources.whole(message), message.position(), ring, index + RECORD_HEADER, length);
            publish(index, length + RECORD_HEADER, type);
            message.position(message.limit());
            return true;
        }

        /**
         * {@inheritDoc} Until the commit the receiver waits at this record (messages claimed after it wait too),
         * so write promptly: if this process dies first, the receiver skips the record after 100 ms.
         */
        @Override
        public int claim(int type, int length) {
            checkType(type);
            if (pending.isOpen()) {
                throw new IllegalStateException("a claim is open: commit it before the next claim");
            }
            if (length < 0 || length > region.maxLength) {
                throw tooLong(length);
            }
            int index = claimRoom(length);
            if (index < 0) {
                return -1;
            }
            return pending.open(index, type, length, align(length + RECORD_HEADER));
        }

        @Override
        public void commit(int payloadOffset, int length) {
            int type = pending.type();
            int index = pending.commit(payloadOffset, length);
            publish(index, length + RECORD_HEADER, type);
        }

        @Override
        public MemorySegment ring() {
            return ring;
        }

        /** Claims room for a record (and a padding record at the wrap): its index, or -1 when full. */
        private int claimRoom(int length) {
            int aligned = align(length + RECORD_HEADER);
            while (true) {
                long head = region.header.getLongVolatile(HEAD_OFFSET);
                long tail = region.header.getLongVolatile(TAIL_OFFSET);
                int index = (int) (tail & region.mask);
                int toEnd = region.capacity - index;
                int needed = aligned <= toEnd ? aligned : toEnd + aligned;
                if (tail + needed - head > region.capacity) {
                    return -1;
                }
                if (region.header.compareAndSetLong(TAIL_OFFSET, tail, tail + needed)) {
                    if (needed != aligned) {
                        putPadding(ring, index, toEnd);
                        index = 0;
                    }
                    RING_INT.set(ring, index + 4L, owner);
                    RING_INT.setRelease(ring, (long) index, -aligned); // claimed, not committed: the receiver waits
                    return index;
                }
            }
        }

        /**
         * Commits the record: its type, then its length with release semantics (volatile when the receiver may
         * sleep, so that the store is ordered before the check of its sleep announcement), then wakes it if it
         * announced a sleep.
         */
        private void publish(int index, int recordLength, int type) {
            if ((++published & BEAT_EVERY) == 0) {
                region.beat(ChannelRegion.Role.SENDER);
            }
            RING_INT.set(ring, index + 4L, type);
            if (!receiverMaySleep()) {
                RING_INT.setRelease(ring, (long) index, recordLength); // a spinning receiver needs no wake-up
                return;
            }
            RING_INT.setVolatile(ring, (long) index, recordLength);
            wakeIfSleeping(false);
        }
    }
}
