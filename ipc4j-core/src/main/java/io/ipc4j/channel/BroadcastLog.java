package io.ipc4j.channel;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.shm.SharedMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * A one-to-many log in shared memory: one sender, any number of receivers in any processes, each at its own
 * pace (in the style of Agrona's BroadcastTransmitter and CopyBroadcastReceiver).
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>The sender never waits for receivers: it overwrites the oldest records. A receiver that falls more than the
 * capacity behind is overrun: it learns how many bytes it lost ({@link Receiver#lostBytes()}) and rejoins at
 * the latest record. It never returns a record that was overwritten while it read it (checked after the
 * copy), so it never reads garbage.</li>
 * <li>Receivers join at the end: they see what is written after they attach.</li>
 * <li>One {@link Sender} at a time (recorded with pid, start time and heartbeat, a second live one refused);
 * a {@link Receiver} per thread. Receivers wait as their {@link IdleStrategy} says (spin-yield by default: spin,
 * yield, sleep up to 1 ms); they are not registered, so the sender wakes no one and pays nothing per
 * receiver.</li>
 * <li>The sender and receivers speak the vocabulary of every channel ({@link ChannelSender},
 * {@link ChannelReceiver}); a {@link Receiver#poll poll} hands over a copy, since the sender may overwrite a record
 * while it is read.</li>
 * </ul>
 */
public final class BroadcastLog implements AutoCloseable {
    private final ChannelRegion region;
    private final MemorySegment ring;
    private final int capacity;
    private final int mask;

    private BroadcastLog(ChannelRegion region) {
        this.region = region;
        this.ring = region.ring;
        this.capacity = region.capacity;
        this.mask = region.mask;
    }

    /**
     * Creates the log {@code name} (a POSIX shared memory name) with {@code capacity} bytes.
     *
     * @param name its name
     * @param capacity the ring's capacity in bytes: a power of two from 1024 to 1 GiB
     * @return the log, attached
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static BroadcastLog create(String name, int capacity) throws IOException {
        return new BroadcastLog(ChannelRegion.create(name, capacity, KIND_BROADCAST));
    }

    /**
     * Attaches to an existing log, checking its header.
     *
     * @param name its name
     * @return the log, attached
     * @throws ChannelFormatException if the region is not a broadcast log this ipc4j reads
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static BroadcastLog open(String name) throws IOException {
        return new BroadcastLog(ChannelRegion.open(name, KIND_BROADCAST));
    }

    /**
     * Writes a new log over the whole of {@code memory}, as {@link OneToOneChannel#format}.
     *
     * @param memory 8-byte aligned memory: a mapping, or heap memory ({@code MemorySegment.ofArray(new long[n])})
     * @param description what to call the log in messages
     * @return the log
     */
    public static BroadcastLog format(MemorySegment memory, String description) {
        return new BroadcastLog(ChannelRegion.format(memory, description, KIND_BROADCAST));
    }

    /**
     * Attaches to the log that {@code memory} holds, checking its header.
     *
     * @param memory the memory {@link #format} wrote
     * @param description what to call the log in messages
     * @return the log
     * @throws ChannelFormatException if the memory does not hold a broadcast log this ipc4j reads
     */
    public static BroadcastLog attach(MemorySegment memory, String description) throws ChannelFormatException {
        return new BroadcastLog(ChannelRegion.attach(memory, description, KIND_BROADCAST));
    }

    /**
     * Removes the log's name; attached processes keep working.
     *
     * @param name its name
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        return SharedMemory.unlink(name);
    }

    /** {@return the longest message: an eighth of the capacity, minus the record header} */
    public int maxMessageLength() {
        return region.maxLength;
    }

    /** {@return the pid of the registered sender (0: none yet)} */
    public int senderPid() {
        return region.pid(ChannelRegion.Role.SENDER);
    }

    /** {@return the sender's last sign of life (epoch ms): when it attached, and every 4096 messages} */
    public long senderHeartbeatMillis() {
        return region.heartbeatMillis(ChannelRegion.Role.SENDER);
    }

    /**
     * Becomes the log's sender; IllegalStateException if a live process already is.
     *
     * @return the sending side, for one thread at a time
     */
    public Sender sender() {
        region.claim(ChannelRegion.Role.SENDER, "sender");
        return new Sender();
    }

    /**
     * A new receiver for the calling thread, starting at the end of the log.
     *
     * @return a new receiving side, for one thread
     */
    public Receiver receiver() {
        return new Receiver();
    }

    /** Unmaps this process's view; the log stays until {@link #unlink}. */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "broadcast log " + region;
    }

    /** The sending side. One thread at a time; never waits: it overwrites the oldest records. */
    public final class Sender implements ChannelSender {
        private final BufferSegments sources = new BufferSegments();
        private long published;

        private Sender() {
        }

        @Override
        public int maxMessageLength() {
            return region.maxLength;
        }

        /**
         * Appends the message: always true, as the sender never waits for receivers.
         *
         * @param type    the message type, 0 and up
         * @param message the message: the buffer's remaining bytes
         * @return true
         */
        @Override
        public boolean offer(int type, ByteBuffer message) {
            checkType(type);
            int length = message.remaining();
            if (length > region.maxLength) {
                throw new IllegalArgumentException("message length " + length + " is above " + region.maxLength);
            }
            int aligned = align(length + RECORD_HEADER);
            long tail = region.header.getLong(TAIL_OFFSET);
            int index = (int) (tail & mask);
            int toEnd = capacity - index;
            boolean pad = aligned > toEnd;
            region.header.putLongRelease(TAIL_INTENT_OFFSET, tail + aligned + (pad ? toEnd : 0));
            VarHandle.storeStoreFence(); // the intent is visible before any byte it covers changes
            if (pad) {
                putPadding(ring, index, toEnd);
                tail += toEnd;
                index = 0;
            }
            RING_INT.set(ring, index + 4L, type);
            MemoryCalls.copy(sources.whole(message), message.position(), ring, index + RECORD_HEADER, length);
            RING_INT.setRelease(ring, (long) index, length + RECORD_HEADER);
            region.header.putLongRelease(LATEST_OFFSET, tail);
            region.header.putLongRelease(TAIL_OFFSET, tail + aligned);
            message.position(message.limit());
            if ((++published & RingChannel.BEAT_EVERY) == 0) {
                region.beat(ChannelRegion.Role.SENDER);
            }
            return true;
        }

        /** As {@link #offer}: a broadcast sender never waits, so the timeout is never used. */
        @Override
        public void send(int type, ByteBuffer message, Duration timeout) {
            offer(type, message);
        }
    }

    /** A receiving side, at its own pace. One thread at a time. */
    public final class Receiver implements ChannelReceiver {
        private long cursor = region.header.getLongVolatile(TAIL_OFFSET);
        private final BufferSegments targets = new BufferSegments();
        private final Wait wait = new Wait(IdleStrategy.spinYield());
        /** Where {@link #poll} copies each message: a segment kept over the buffer, so no view per message. */
        private MemorySegment copySegment;
        private ByteBuffer copy;
        private long lostBytes;
        private int lappedCount;

        private Receiver() {
        }

        /** {@return bytes this receiver missed because the sender overwrote them before it read them} */
        public long lostBytes() {
            return lostBytes;
        }

        /** {@return how many times this receiver was overrun} */
        public int lappedCount() {
            return lappedCount;
        }

        @Override
        public Receiver idleStrategy(IdleStrategy strategy) {
            wait.strategy(strategy);
            return this;
        }

        /**
         * {@inheritDoc} Each message is copied out of the ring first (the sender may overwrite a record while it
         * is read), into a buffer of {@link #maxMessageLength()} that this receiver keeps.
         */
        @Override
        public int poll(MessageHandler handler, int limit) throws ChannelFormatException {
            if (copy == null) {
                copySegment = Arena.ofAuto().allocate(region.maxLength, Long.BYTES);
                copy = copySegment.asByteBuffer();
            }
            int count = 0;
            while (count < limit) {
                copy.clear();
                int type = receiveNow(copy);
                if (type == NONE) {
                    break;
                }
                handler.onMessage(type, copySegment, 0, copy.position());
                count++;
            }
            return count;
        }

        /**
         * {@inheritDoc}
         *
         * @throws ChannelFormatException if the record there cannot have been written by the sender (a corrupt
         *                                region: a length that does not fit, or a negative type other than
         *                                padding), instead of looping or reading out of place.
         */
        @Override
        public int receiveNow(ByteBuffer dst) throws ChannelFormatException {
            while (true) {
                long tail = region.header.getLongVolatile(TAIL_OFFSET);
                if (cursor >= tail) {
                    return NONE;
                }
                if (tail - cursor > capacity) {
                    lapped(tail);
                    continue;
                }
                int index = (int) (cursor & mask);
                int length = (int) RING_INT.getAcquire(ring, (long) index);
                int type = (int) RING_INT.get(ring, index + 4L);
                int payload = length - RECORD_HEADER;
                boolean fits = type == PADDING_TYPE || (payload >= 0 && payload <= dst.remaining()
                        && payload <= region.maxLength);
                int start = dst.position();
                if (fits && type != PADDING_TYPE) {
                    MemoryCalls.copy(ring, index + RECORD_HEADER, targets.whole(dst), start, payload);
                }
                VarHandle.acquireFence(); // the copy above happens before reading how far the sender got
                if (region.header.getLongVolatile(TAIL_INTENT_OFFSET) - capacity > cursor) {
                    lapped(region.header.getLongVolatile(TAIL_OFFSET)); // overwritten while we read: discard it
                    continue;
                }
                checkRecord(index, length, type);
                if (!fits) {
                    throw new IllegalArgumentException("a " + payload + "-byte message does not fit the buffer's "
                            + dst.remaining() + " bytes; read with a buffer of maxMessageLength()");
                }
                cursor += type == PADDING_TYPE ? length : align(length);
                if (type != PADDING_TYPE) {
                    dst.position(start + payload);
                    return type;
                }
            }
        }

        /** A record the sender cannot have written (checked after the overwrite check: a lap is not damage). */
        private void checkRecord(int index, int length, int type) throws ChannelFormatException {
            boolean lengthOk = length >= RECORD_HEADER && length <= capacity - index
                    && (type == PADDING_TYPE || length - RECORD_HEADER <= region.maxLength);
            if (!lengthOk || type < PADDING_TYPE) {
                throw new ChannelFormatException(region.name + ": corrupt record at ring offset " + index
                        + ": length " + length + ", type " + type + "; the sender writes lengths of " + RECORD_HEADER
                        + " to " + (region.maxLength + RECORD_HEADER) + " bytes that end within the ring, and types"
                        + " of 0 or more (-1 for padding)");
            }
        }

        private void lapped(long tail) {
            long latest = region.header.getLongVolatile(LATEST_OFFSET);
            long rejoin = Math.max(latest, tail - capacity);
            lostBytes += rejoin - cursor;
            lappedCount++;
            cursor = latest >= tail - capacity ? latest : tail;
        }

        /**
         * {@inheritDoc} The sender is not waited on: a dead sender only means nothing new arrives.
         */
        @Override
        public int receive(ByteBuffer dst, Duration timeout) throws IOException {
            int type = receiveNow(dst);
            return type != NONE ? type : wait.receive(dst, timeout);
        }

        /** The receiver's wait: nothing to check but the region's size, nothing to wake it. */
        private final class Wait extends ReceiverWait {
            Wait(IdleStrategy strategy) {
                super(Receiver.this, region.name, strategy);
            }

            @Override
            boolean checkPeer() throws IOException {
                region.checkSize();
                return false;
            }
        }
    }
}
