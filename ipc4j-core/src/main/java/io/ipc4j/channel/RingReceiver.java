package io.ipc4j.channel;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.event.EventFd;
import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.sync.Futex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * The receiving side of a {@link OneToOneChannel} or {@link ManyToOneChannel}: one per channel, machine-wide,
 * for one thread at a time. It reads records in place; {@link #receive} waits as its {@link IdleStrategy} says
 * (spin-park by default: a futex sleep that a sender ends with one wake-up), or it waits in an event loop
 * through its {@link #doorbell()}.
 */
public final class RingReceiver implements ChannelReceiver {
    private final RingChannel channel;
    private final ChannelRegion region;
    private final MemorySegment ring;
    private final int mask;
    private final int capacity;
    private final int maxLength;
    private final boolean clears;
    private final BufferSegments targets = new BufferSegments();
    private final Wait wait;
    private long head;
    private long consumed;
    private long lost;
    private long missedWakeups;
    /** Receiver fences that took longer than {@link #SLOW_FENCE_NANOS}. */
    private int slowFences;
    /**
     * A receiver fence slower than this is slow: more than a sender's full fence on every message costs in a
     * stream (a few tens of ns) would ever make up. Settable for tests (io.ipc4j.channel.slowFenceNanos).
     */
    static final long SLOW_FENCE_NANOS = Long.getLong("io.ipc4j.channel.slowFenceNanos", 10_000);
    /** How many slow receiver fences make the receiver ask the sender to fence (one may be a preemption). */
    static final int SLOW_FENCES_BEFORE_ASKING = 3;
    private Doorbell doorbell;

    RingReceiver(RingChannel channel) {
        this.channel = channel;
        this.region = channel.region;
        this.ring = region.ring;
        this.mask = region.mask;
        this.capacity = region.capacity;
        this.maxLength = region.maxLength;
        this.clears = channel.receiverClears();
        this.head = region.header.getLongVolatile(HEAD_OFFSET);
        this.wait = new Wait(IdleStrategy.spinPark());
        region.header.putIntVolatile(DOORBELL_FD_OFFSET, 0); // an earlier receiver's doorbell is not ours
        announceStrategy();
    }

    /** Tells the senders whether they must ever wake this receiver: only if it may sleep until woken. */
    private void announceStrategy() {
        boolean parks = doorbell != null && doorbell.isOpen()
                || wait.strategy().sleepsUntilWoken() && region.isNative();
        region.header.putIntVolatile(RECEIVER_PARKS_OFFSET, parks ? 1 : 0);
    }

    @Override
    public RingReceiver idleStrategy(IdleStrategy strategy) {
        wait.strategy(strategy);
        announceStrategy();
        return this;
    }

    /**
     * This receiver's {@link Doorbell} (made on first call), to wait for messages in an event loop. Makes the
     * senders' wake-ups ring it, whatever the idle strategy; {@link #receive} keeps working.
     *
     * @return this receiver's doorbell
     * @throws IOException if the eventfd cannot be made
     * @throws IllegalStateException if the channel is not in native memory (a heap segment has no doorbell)
     */
    public Doorbell doorbell() throws IOException {
        if (!region.isNative()) {
            throw new IllegalStateException(region.name + " is in heap memory: only a receiver in shared memory has "
                    + "a doorbell");
        }
        if (doorbell == null || !doorbell.isOpen()) {
            doorbell = new Doorbell(region, EventFd.create(0, EventFd.Mode.COUNTER));
            channel.receiverDoorbell(doorbell);
            region.header.putIntVolatile(DOORBELL_FD_OFFSET, doorbell.fd());
            announceStrategy();
        }
        return doorbell;
    }

    /**
     * For the doorbell's handler: hands every waiting message to {@code handler} (at most {@code limit} in a
     * turn, so that one busy channel does not starve a loop's other objects), then, once the ring is empty,
     * announces that this receiver sleeps, so that the next message rings the doorbell. If it stopped at
     * {@code limit} with messages left, it rings its own doorbell, so that a level-triggered loop comes back.
     *
     * @param handler what to call
     * @param limit the most to handle in this call
     * @return how many messages it handled
     * @throws IOException if the doorbell fails, or the region is corrupt
     */
    public int drain(MessageHandler handler, int limit) throws IOException {
        woken();
        int count = 0;
        while (true) {
            count += poll(handler, limit - count);
            if (count >= limit) {
                doorbell.ring(); // more may wait: come back after the loop's other objects
                return count;
            }
            if (announceSleep()) {
                return count; // empty after the announcement: the next message rings
            }
        }
    }

    /**
     * Tells the senders that this receiver is about to wait on its {@link Doorbell}, so that the next message
     * rings it. False if a message came meanwhile: then do not wait, receive it (the announcement is
     * withdrawn). The lower-level half of {@link #drain}, for a receiver that selects itself.
     *
     * @return true if the receiver may wait now, false if a message came meanwhile
     * @throws IOException if the doorbell cannot be made
     */
    public boolean announceSleep() throws IOException {
        doorbell();
        region.header.putIntVolatile(RECEIVER_WAITING_OFFSET, 1);
        // if membarrier failed, a wake-up can be missed, the same rare case as a futex sleep's (see
        // missedWakeups), with no timeout to end it
        fenceForSender();
        if (recordLengthAtHead() <= 0) {
            return true;
        }
        region.header.putIntVolatile(RECEIVER_WAITING_OFFSET, 0);
        return false;
    }

    /**
     * After the doorbell rang: takes its count and withdraws the sleep announcement.
     *
     * @throws IOException if the doorbell cannot be read
     */
    public void woken() throws IOException {
        doorbell().take();
        region.header.putIntVolatile(RECEIVER_WAITING_OFFSET, 0);
    }

    @Override
    public int poll(MessageHandler handler, int limit) throws ChannelFormatException {
        try {
            return pollRecords(handler, limit);
        } catch (InternalError e) {
            throw region.truncated(e);
        }
    }

    private int pollRecords(MessageHandler handler, int limit) throws ChannelFormatException {
        int count = 0;
        while (count < limit) {
            int index = (int) head & mask;
            int length = (int) RING_INT.getAcquire(ring, (long) index);
            if (length <= 0) {
                break;
            }
            int type = (int) RING_INT.get(ring, index + 4L);
            checkRecord(index, length, type);
            if (type == PADDING_TYPE) {
                consume(index, length);
                continue;
            }
            handler.onMessage(type, ring, index + RECORD_HEADER, length - RECORD_HEADER);
            count++;
            consumed(index, length);
        }
        return count;
    }

    @Override
    public int receiveNow(ByteBuffer dst) throws ChannelFormatException {
        try {
            return receiveRecord(dst);
        } catch (InternalError e) {
            throw region.truncated(e);
        }
    }

    private int receiveRecord(ByteBuffer dst) throws ChannelFormatException {
        while (true) {
            int index = (int) head & mask;
            int length = (int) RING_INT.getAcquire(ring, (long) index);
            if (length <= 0) {
                return NONE;
            }
            int type = (int) RING_INT.get(ring, index + 4L);
            checkRecord(index, length, type);
            if (type == PADDING_TYPE) {
                consume(index, length);
                continue;
            }
            int payload = length - RECORD_HEADER;
            int position = dst.position();
            if (payload > dst.limit() - position) {
                throw new IllegalArgumentException("a " + payload + "-byte message does not fit the buffer's "
                        + dst.remaining() + " bytes; receive with a buffer of maxMessageLength()");
            }
            MemoryCalls.copy(ring, index + RECORD_HEADER, targets.whole(dst), position, payload);
            dst.position(position + payload);
            consumed(index, length);
            return type;
        }
    }

    @Override
    public int receive(ByteBuffer dst, Duration timeout) throws IOException {
        try {
            int type = receiveNow(dst);
            return type != NONE ? type : wait.receive(dst, timeout);
        } catch (InternalError e) { // a fault in the mapping is delivered late: it may surface here
            throw region.truncated(e);
        }
    }

    /**
     * A record no sender writes: a length below its header, past the ring's end or (for a message) above the
     * longest message, or a negative type other than padding. Two compares on the per-message path.
     */
    private void checkRecord(int index, int length, int type) throws ChannelFormatException {
        boolean lengthOk = length >= RECORD_HEADER && length <= capacity - index
                && (type == PADDING_TYPE || length - RECORD_HEADER <= maxLength);
        if (!lengthOk || type < PADDING_TYPE) {
            throw new ChannelFormatException(region.name + ": corrupt record at ring offset " + index + " (byte "
                    + (HEADER_LENGTH + index) + " of the region): length " + length + ", type " + type
                    + "; a sender writes lengths of " + RECORD_HEADER + " to " + (maxLength + RECORD_HEADER)
                    + " bytes that end within the ring, and types of 0 or more (-1 for padding). Something"
                    + " other than an ipc4j sender wrote this region");
        }
    }

    /**
     * The sender's published position must be within a ring of this receiver's: it may lag behind (a sender
     * publishes a record before its position, and may die in between) but never by more than a ring, nor be
     * more than a ring ahead. In one-to-one a position ahead means a committed record at the head.
     */
    private void checkPositions() throws ChannelFormatException {
        long tail = region.header.getLongVolatile(TAIL_OFFSET);
        long ahead = tail - head;
        if (ahead < -capacity || ahead > capacity) {
            throw new ChannelFormatException(region.name + ": corrupt header: the sender's position " + tail
                    + " is " + ahead + " bytes from the receiver's " + head + " (a ring holds " + capacity + ")");
        }
        if (!clears && ahead > 0 && recordLengthAtHead() == 0) {
            throw new ChannelFormatException(region.name + ": corrupt record at ring offset " + (head & mask)
                    + ": the sender is " + ahead + " bytes ahead, yet the record there has length 0");
        }
    }

    /**
     * After the receiver's "I sleep" store, before its re-check of the ring: orders a fenceless sender's
     * publishes with them ({@link AsymmetricFence}). Where membarrier is slow (it interrupts the CPUs that run
     * registered processes: 48 us each on a 2-vCPU EPYC VM against 1.3 us with the other CPU idle, once the round
     * trip of a receiver that sleeps every time), asks the sender to fence its own publishes instead, once
     * {@link #SLOW_FENCES_BEFORE_ASKING} fences took longer than {@link #SLOW_FENCE_NANOS}.
     *
     * @return false if membarrier failed: a wake-up may then be missed.
     */
    private boolean fenceForSender() {
        if (region.header.getIntVolatile(SENDER_FENCELESS_OFFSET) == ChannelLayout.SENDER_FENCED) {
            return true;
        }
        long start = System.nanoTime();
        boolean fenced = AsymmetricFence.receiverFence();
        if (System.nanoTime() - start > SLOW_FENCE_NANOS && ++slowFences >= SLOW_FENCES_BEFORE_ASKING) {
            region.header.compareAndSetInt(SENDER_FENCELESS_OFFSET, ChannelLayout.SENDER_FENCELESS,
                    ChannelLayout.SENDER_ASKED_TO_FENCE);
        }
        return fenced;
    }

    private int recordLengthAtHead() {
        return (int) RING_INT.getVolatile(ring, head & mask);
    }

    /** After a message was handed over: counts it (a heartbeat every 4096) and frees its record. */
    private void consumed(int index, int length) {
        if ((++consumed & RingChannel.BEAT_EVERY) == 0) {
            region.beat(ChannelRegion.Role.RECEIVER);
        }
        consume(index, align(length));
    }

    /** Frees the record at {@code index} for the sender: zeroes it if this channel's receiver clears. */
    private void consume(int index, int aligned) {
        if (clears) {
            clear(index, aligned);
        }
        head += aligned;
        region.header.putLongRelease(HEAD_OFFSET, head);
    }

    /** Zeroes a consumed record: word by word when small (no slice object), by memset when large. */
    private void clear(int index, int aligned) {
        if (aligned <= 128) {
            for (int i = 0; i < aligned; i += Long.BYTES) {
                RING_LONG.set(ring, (long) index + i, 0L);
            }
        } else {
            ring.asSlice(index, aligned).fill((byte) 0);
        }
    }

    /**
     * Skips a record claimed by a sender that died before committing it: its length is negative (the room
     * claimed) and its type slot holds -pid of the claimer (see {@link ManyToOneChannel}).
     */
    private boolean skipAbandoned() {
        int index = (int) (head & mask);
        int length = (int) RING_INT.getAcquire(ring, (long) index);
        if (length >= 0) {
            return false;
        }
        int pid = -(int) RING_INT.get(ring, index + 4L);
        if (pid <= 0 || ProcessStart.alive(pid, 0)) {
            return false;
        }
        clear(index, -length);
        head -= length;
        region.header.putLongRelease(HEAD_OFFSET, head);
        lost++;
        return true;
    }

    /**
     * {@return sleeps that ran out with a message waiting and no wake-up tried: lost wake-ups, each costing up
     * to 100 ms; always 0 unless the fence that orders a fenceless sender's store before its check failed}
     */
    public long missedWakeups() {
        return missedWakeups;
    }

    /** {@return messages skipped because their sender died between claiming room and committing (many-to-one)} */
    public long lostMessages() {
        return lost;
    }

    /** The receiver's wait: its attempt is a receive, its sleep a futex wait that senders end. */
    private final class Wait extends ReceiverWait {
        Wait(IdleStrategy strategy) {
            super(RingReceiver.this, region.name, strategy);
        }

        @Override
        boolean checkPeer() throws IOException {
            region.checkSize();
            region.beat(ChannelRegion.Role.RECEIVER);
            if (skipAbandoned()) {
                return true;
            }
            try {
                checkPositions();
            } catch (InternalError e) {
                throw region.truncated(e);
            }
            if (region.holderDead(ChannelRegion.Role.SENDER) && recordLengthAtHead() <= 0) {
                throw new PeerDeadException("receive(" + region.name + "): the sender, pid "
                        + region.pid(ChannelRegion.Role.SENDER) + ", died and nothing is left to read");
            }
            return false;
        }

        /**
         * Announces the sleep, fences for a fenceless sender ({@link AsymmetricFence}), re-checks, then sleeps on
         * the wake sequence (at most 1 ms if that fence failed: a wake-up may then be missed). Over heap memory,
         * where there is no futex to share, it parks instead.
         */
        @Override
        void sleepUntilWoken(long nanos) throws IOException {
            if (!region.isNative()) {
                super.sleepUntilWoken(nanos);
                return;
            }
            int sequence = region.header.getIntVolatile(WAKE_SEQUENCE_OFFSET);
            region.header.putIntVolatile(RECEIVER_WAITING_OFFSET, 1);
            try {
                boolean fenced = fenceForSender();
                if (recordLengthAtHead() <= 0) {
                    futexWait(sequence, fenced ? nanos : Math.min(nanos, UNWOKEN_SLEEP_NANOS));
                }
            } finally {
                region.header.putIntVolatile(RECEIVER_WAITING_OFFSET, 0);
            }
        }

        private void futexWait(int sequence, long nanos) throws IOException {
            Futex.Wake how;
            try {
                how = Futex.await(region.memory, WAKE_SEQUENCE_OFFSET, sequence, Duration.ofNanos(nanos));
            } catch (IOException e) { // EFAULT: the futex word's page is gone
                region.checkSize();
                throw e;
            }
            if (how != Futex.Wake.TIMED_OUT) {
                // a sender woke us (the usual way, one fstat(2) less per sleep): a truncation since then faults
                // where the ring is read, and that InternalError becomes the same clear error
                return;
            }
            region.checkSize(); // a truncation wakes no one: check before this thread touches the region again
            if (region.header.getIntVolatile(WAKE_SEQUENCE_OFFSET) == sequence && recordLengthAtHead() > 0) {
                missedWakeups++; // a message came during the sleep and no sender tried to wake us
            }
        }
    }
}
