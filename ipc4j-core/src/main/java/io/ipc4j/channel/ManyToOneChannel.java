package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import static io.ipc4j.channel.ChannelDescriptor.*;

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
 * counts it in {@link Receiver#lostMessages()}.</li>
 * <li>Zero-copy: {@link Sender#claim}, write into {@link Sender#ring()}, {@link Sender#commit} (at most the
 * claimed length), as in {@link OneToOneChannel}. Message types are 0 and up.</li>
 * <li>A {@link Sender} is for one thread; make one per thread. The receiver is as {@link OneToOneChannel}'s,
 * except that it cannot tell that all senders died (they are not registered): it waits out its timeout.</li>
 * </ul>
 */
public final class ManyToOneChannel extends RingChannel {
    private ManyToOneChannel(String name, SharedMemory shm) {
        super(name, shm, capacityOf(shm));
    }

    @Override
    boolean receiverClears() {
        return true;
    }

    /**
     * Creates the channel {@code name} with a ring of {@code capacity} bytes (a power of two).
     *
     * @param name its name
     * @param capacity the capacity in bytes
     * @return the {@code ManyToOneChannel}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static ManyToOneChannel create(String name, int capacity) throws IOException {
        return new ManyToOneChannel(name, createRegion(name, capacity, KIND_MANY_TO_ONE));
    }

    /**
     * Attaches to an existing many-to-one channel, checking its header.
     *
     * @param name its name
     * @return the {@code ManyToOneChannel}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static ManyToOneChannel open(String name) throws IOException {
        return new ManyToOneChannel(name, openRegion(name, KIND_MANY_TO_ONE));
    }

    /**
     * A new sender for the calling thread (any number may exist).
     *
     * @return a new sender for the calling thread
     */
    public Sender sender() {
        return new Sender();
    }

    /** One thread's sending side. */
    public final class Sender {
        private final SharedBuffer buffer = new SharedBuffer(ring);
        private final int owner = -Spawn.currentPid();
        private final BufferSegments sources = new BufferSegments();
        private WaitStrategy strategy = WaitStrategy.SPIN_PARK;
        private final PendingClaim pending = new PendingClaim();

        private Sender() {
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
            int length = message.remaining();
            if (length > maxLength) {
                throw new IllegalArgumentException("message length " + length + " is above " + maxLength
                        + " (an eighth of the channel's capacity, minus 8)");
            }
            int index = claimRoom(length);
            if (index < 0) {
                return false;
            }
            MemorySegment.copy(sources.of(message), message.position(), ring, index + RECORD_HEADER, length);
            ring.set(ValueLayout.JAVA_INT_UNALIGNED, index + 4L, type);
            publish(buffer, index, length + RECORD_HEADER);
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
         */
        public void send(int type, ByteBuffer message, Duration timeout) throws IOException {
            if (!offer(type, message)) {
                sendWaiting(() -> offer(type, message), strategy, timeout);
            }
        }

        /**
         * Zero-copy: reserves room for a {@code length}-byte message and returns the offset in {@link #ring()}
         * where its payload goes, or -1 if the ring is full. Write the payload, then {@link #commit}; one claim at
         * a time. Until then the receiver waits at this record (messages claimed after it wait too), so write
         * promptly: if this process dies first, the receiver skips the record after 100 ms.
         *
         * @param type the message type
         * @param length the length in bytes
         * @return the offset in {@link #ring()} where its payload goes, or -1 if the ring is full
         */
        public int claim(int type, int length) {
            checkType(type);
            if (pending.isOpen()) {
                throw new IllegalStateException("a claim is open: commit it before the next claim");
            }
            if (length < 0 || length > maxLength) {
                throw new IllegalArgumentException("message length " + length + " is outside 0.." + maxLength
                        + " (an eighth of the channel's capacity, minus 8)");
            }
            int index = claimRoom(length);
            if (index < 0) {
                return -1;
            }
            return pending.open(index, type, length, align(length + RECORD_HEADER));
        }

        /**
         * Publishes the message claimed at {@code payloadOffset}, {@code length} bytes long, as
         * {@link OneToOneChannel.Sender#commit}: at most the claimed length.
         *
         * @param payloadOffset the payload offset {@code claim} returned
         * @param length the length in bytes
         */
        public void commit(int payloadOffset, int length) {
            int type = pending.type();
            int index = pending.commit(payloadOffset, length);
            ring.set(ValueLayout.JAVA_INT_UNALIGNED, index + 4L, type);
            publish(buffer, index, length + RECORD_HEADER);
        }

        /**
         * The ring, for writing a claimed payload.
         *
         * @return the ring, for writing a claimed payload
         */
        public MemorySegment ring() {
            return ring;
        }

        /** Claims room for a record (and a padding record at the wrap): its index, or -1 when full. */
        private int claimRoom(int length) {
            int aligned = align(length + RECORD_HEADER);
            while (true) {
                long head = header.getLongVolatile(HEAD_OFFSET);
                long tail = header.getLongVolatile(TAIL_OFFSET);
                int index = (int) (tail & mask);
                int toEnd = capacity - index;
                int needed = aligned <= toEnd ? aligned : toEnd + aligned;
                if (tail + needed - head > capacity) {
                    return -1;
                }
                if (header.compareAndSetLong(TAIL_OFFSET, tail, tail + needed)) {
                    if (needed != aligned) {
                        putPadding(buffer, index, toEnd);
                        index = 0;
                    }
                    ring.set(ValueLayout.JAVA_INT_UNALIGNED, index + 4L, owner);
                    buffer.putIntRelease(index, -aligned); // claimed, not yet committed; the receiver waits
                    return index;
                }
            }
        }
    }
}
