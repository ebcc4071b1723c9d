package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Backoff;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.channel.ChannelDescriptor.*;

/**
 * A one-to-many log in shared memory: one writer, any number of readers in any processes, each at its own
 * pace (in the style of Agrona's BroadcastTransmitter and CopyBroadcastReceiver).
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>The writer never waits for readers: it overwrites the oldest records. A reader that falls more than the
 * capacity behind is overrun: it learns how many bytes it lost ({@link Reader#lostBytes()}) and rejoins at
 * the latest record. It never returns a record that was overwritten while it read it (checked after the
 * copy), so it never reads garbage.</li>
 * <li>Readers join at the end: they see what is written after they attach.</li>
 * <li>One {@link Writer} at a time (recorded with pid and start time, a second live one refused); a
 * {@link Reader} per thread. Readers wait with a back-off (spin, yield, park up to 1 ms); they are not
 * registered, so the writer wakes no one and pays nothing per reader.</li>
 * </ul>
 */
public final class BroadcastLog implements AutoCloseable {
    private final String name;
    private final SharedMemory shm;
    private final SharedBuffer header;
    private final SharedBuffer buffer;
    private final MemorySegment ring;
    private final int capacity;
    private final int mask;

    private BroadcastLog(String name, SharedMemory shm) {
        this.name = name;
        this.shm = shm;
        this.header = shm.buffer();
        this.capacity = RingChannel.capacityOf(shm);
        this.mask = capacity - 1;
        this.ring = shm.segment().asSlice(HEADER_LENGTH, capacity);
        this.buffer = new SharedBuffer(ring);
    }

    /**
     * Creates the log {@code name} with {@code capacity} bytes (a power of two).
     *
     * @param name its name
     * @param capacity the capacity in bytes
     * @return the {@code BroadcastLog}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static BroadcastLog create(String name, int capacity) throws IOException {
        return new BroadcastLog(name, RingChannel.createRegion(name, capacity, KIND_BROADCAST));
    }

    /**
     * Attaches to an existing log, checking its header.
     *
     * @param name its name
     * @return the {@code BroadcastLog}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static BroadcastLog open(String name) throws IOException {
        return new BroadcastLog(name, RingChannel.openRegion(name, KIND_BROADCAST));
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

    /**
     * The longest message: an eighth of the capacity, minus the record header.
     *
     * @return the longest message: an eighth of the capacity, minus the record header
     */
    public int maxMessageLength() {
        return capacity / 8 - RECORD_HEADER;
    }

    /**
     * Becomes the log's writer; IllegalStateException if a live process already is.
     *
     * @return the {@code Writer}
     */
    public Writer writer() {
        int self = Spawn.currentPid();
        while (true) {
            int pid = header.getIntVolatile(PRODUCER_PID_OFFSET);
            if (pid != 0 && pid != self && ProcessStart.alive(pid, header.getLongVolatile(PRODUCER_START_OFFSET))) {
                throw new IllegalStateException(name + " already has a live writer: pid " + pid);
            }
            if (header.compareAndSetInt(PRODUCER_PID_OFFSET, pid, self)) {
                header.putLongVolatile(PRODUCER_START_OFFSET, ProcessStart.self());
                return new Writer();
            }
        }
    }

    /**
     * A new reader for the calling thread, starting at the end of the log.
     *
     * @return a new reader for the calling thread, starting at the end of the log
     */
    public Reader reader() {
        return new Reader();
    }

    @Override
    public void close() {
        shm.close();
    }

    /** The writing side. One thread at a time; never waits. */
    public final class Writer {
        private final BufferSegments sources = new BufferSegments();

        private Writer() {
        }

        /**
         * Appends the buffer's remaining bytes as one message of {@code type}.
         *
         * @param type the message type
         * @param message the message: the buffer's remaining bytes
         */
        public void transmit(int type, ByteBuffer message) {
            checkType(type);
            int length = message.remaining();
            if (length > maxMessageLength()) {
                throw new IllegalArgumentException("message length " + length + " is above " + maxMessageLength());
            }
            int aligned = align(length + RECORD_HEADER);
            long tail = header.getLong(TAIL_OFFSET);
            int index = (int) (tail & mask);
            int toEnd = capacity - index;
            boolean pad = aligned > toEnd;
            header.putLongRelease(TAIL_INTENT_OFFSET, tail + aligned + (pad ? toEnd : 0));
            VarHandle.storeStoreFence(); // the intent is visible before any byte it covers changes
            if (pad) {
                putPadding(buffer, index, toEnd);
                tail += toEnd;
                index = 0;
            }
            ring.set(ValueLayout.JAVA_INT_UNALIGNED, index + 4L, type);
            MemorySegment.copy(sources.of(message), message.position(), ring, index + RECORD_HEADER, length);
            buffer.putIntRelease(index, length + RECORD_HEADER);
            header.putLongRelease(LATEST_OFFSET, tail);
            header.putLongRelease(TAIL_OFFSET, tail + aligned);
            message.position(message.limit());
        }
    }

    /** A reading side, at its own pace. One thread at a time. */
    public final class Reader {
        private long cursor = header.getLongVolatile(TAIL_OFFSET);
        private final BufferSegments targets = new BufferSegments();
        private long lostBytes;
        private int lappedCount;

        private Reader() {
        }

        /**
         * Bytes this reader missed because the writer overwrote them before it read them.
         *
         * @return bytes this reader missed because the writer overwrote them before it read them
         */
        public long lostBytes() {
            return lostBytes;
        }

        /**
         * How many times this reader was overrun.
         *
         * @return how many times this reader was overrun
         */
        public int lappedCount() {
            return lappedCount;
        }

        /**
         * Reads the next message into {@code dst} if there is one: its type, or Integer.MIN_VALUE.
         *
         * @param dst the buffer to fill, from its position up to its limit
         * @return its type, or Integer.MIN_VALUE
         * @throws ChannelFormatException if the record there cannot have been written by the writer (a corrupt
         *                                region: a length that does not fit, or a negative type other than
         *                                padding), instead of looping or reading out of place.
         */
        public int receiveNow(ByteBuffer dst) throws ChannelFormatException {
            while (true) {
                long tail = header.getLongVolatile(TAIL_OFFSET);
                if (cursor >= tail) {
                    return Integer.MIN_VALUE;
                }
                if (tail - cursor > capacity) {
                    lapped(tail);
                    continue;
                }
                int index = (int) (cursor & mask);
                int length = buffer.getIntAcquire(index);
                int type = ring.get(ValueLayout.JAVA_INT_UNALIGNED, index + 4L);
                int payload = length - RECORD_HEADER;
                boolean fits = type == PADDING_TYPE || (payload >= 0 && payload <= dst.remaining()
                        && payload <= maxMessageLength());
                int start = dst.position();
                if (fits && type != PADDING_TYPE) {
                    MemorySegment.copy(ring, index + RECORD_HEADER, targets.of(dst), start, payload);
                }
                VarHandle.acquireFence(); // the copy above happens before reading how far the writer got
                if (header.getLongVolatile(TAIL_INTENT_OFFSET) - capacity > cursor) {
                    lapped(header.getLongVolatile(TAIL_OFFSET)); // overwritten while we read: discard it
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

        /** A record the writer cannot have written (checked after the overwrite check: a lap is not damage). */
        private void checkRecord(int index, int length, int type) throws ChannelFormatException {
            boolean lengthOk = length >= RECORD_HEADER && length <= capacity - index
                    && (type == PADDING_TYPE || length - RECORD_HEADER <= maxMessageLength());
            if (!lengthOk || type < PADDING_TYPE) {
                throw new ChannelFormatException(name + ": corrupt record at ring offset " + index + ": length "
                        + length + ", type " + type + "; the writer writes lengths of " + RECORD_HEADER + " to "
                        + (maxMessageLength() + RECORD_HEADER) + " bytes that end within the ring, and types of 0"
                        + " or more (-1 for padding)");
            }
        }

        private void lapped(long tail) {
            long latest = header.getLongVolatile(LATEST_OFFSET);
            long rejoin = Math.max(latest, tail - capacity);
            lostBytes += rejoin - cursor;
            lappedCount++;
            cursor = latest >= tail - capacity ? latest : tail;
        }

        /**
         * Reads the next message, waiting at most {@code timeout}.
         *
         * @param dst the buffer to fill, from its position up to its limit
         * @param timeout the longest this call waits
         * @return the message's type
         * @throws IpcTimeoutException if nothing new was written.
         */
        public int receive(ByteBuffer dst, Duration timeout) throws IOException {
            int type = receiveNow(dst);
            if (type != Integer.MIN_VALUE) {
                return type;
            }
            Deadline deadline = Deadline.after(timeout);
            Backoff backoff = new Backoff();
            while ((type = receiveNow(dst)) == Integer.MIN_VALUE) {
                if (!backoff.idle(deadline)) {
                    throw new IpcTimeoutException("receive(" + name + ")", timeout, 0);
                }
            }
            return type;
        }
    }
}
