package io.ipc4j.channel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The layout of a channel's region (every kind: one-to-one, many-to-one, broadcast). Each side's fields sit on their own 128-byte
 * line so that the sender and the receiver never write the same cache line.
 *
 * <pre>
 *   0 +------------------------------------------------+
 *     | magic "IPC4JCH1" | version | kind | capacity   |  written once by the creator, checked on attach
 *     | region length | creator pid | creator start    |
 * 128 +------------------------------------------------+
 *     | tail (sender position)   | sender pid, start, heartbeat   |
 * 256 +------------------------------------------------+
 *     | head (receiver position) | receiver pid, start, heartbeat |
 * 384 +------------------------------------------------+
 *     | receiver waiting (0/1) | wake sequence (futex word) | receiver may park (0/1) | sender fenceless (0/1/2) |
 *     | doorbell: the receiver's eventfd number (0: none) |
 * 512 +------------------------------------------------+
 *     | ring: capacity bytes of records                 |
 *     |   record: | length (int) | type (int) | payload, padded to 8 |
 *     +------------------------------------------------+
 * </pre>
 *
 * Heartbeats are wall-clock milliseconds of each side's last sign of life: attach, every 4096 messages, and
 * every 100 ms of waiting; liveness itself is decided by pid and process start time, not by the heartbeat.
 *
 * A record's length is written last, with release semantics: a reader that sees a positive length sees the
 * whole record. The receiver (or, one-to-one, the sender) zeroes consumed records, so a zero length means "nothing yet". A record that
 * would cross the end of the ring is preceded by a padding record (type -1) filling the end.
 */
final class ChannelLayout {
    static final long MAGIC = 0x3148434A34435049L; // "IPC4JCH1" read as a little-endian long
    /**
     * 4: a receiver may have a doorbell (an eventfd a sender rings when it wakes the receiver, so that the
     * receiver can wait in an event loop); 3: a one-to-one sender may publish without a full fence when its process registered for membarrier, and a
     * receiver then fences for it before sleeping ({@link AsymmetricFence}); 2: the sender zeroes the next record
     * header itself (version 1 receivers cleared records).
     */
    static final int VERSION = 4;
    static final int KIND_ONE_TO_ONE = 1;
    static final int KIND_MANY_TO_ONE = 2;
    static final int KIND_BROADCAST = 3;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long KIND_OFFSET = 12;
    static final long CAPACITY_OFFSET = 16;
    static final long LENGTH_OFFSET = 24;
    static final long CREATOR_PID_OFFSET = 32;
    static final long CREATOR_START_OFFSET = 40;

    static final long TAIL_OFFSET = 128;
    static final long SENDER_PID_OFFSET = 136;
    static final long SENDER_START_OFFSET = 144;
    static final long SENDER_HEARTBEAT_OFFSET = 152;
    /** Broadcast: where the writer is about to write up to (set before it writes, so readers see overwrites). */
    static final long TAIL_INTENT_OFFSET = 160;
    /** Broadcast: the start of the latest complete record, where a lapped reader rejoins. */
    static final long LATEST_OFFSET = 168;

    static final long HEAD_OFFSET = 256;
    static final long RECEIVER_PID_OFFSET = 264;
    static final long RECEIVER_START_OFFSET = 272;
    static final long RECEIVER_HEARTBEAT_OFFSET = 280;

    static final long RECEIVER_WAITING_OFFSET = 384;
    static final long WAKE_SEQUENCE_OFFSET = 388;
    /** 1 while the receiver's strategy may park on the futex; with 0 the sender skips the fence and the check. */
    static final long RECEIVER_PARKS_OFFSET = 392;
    /**
     * How the one-to-one sender orders its publishes with a sleeping receiver: {@link #SENDER_FENCED},
     * {@link #SENDER_FENCELESS} (a receiver runs membarrier before it sleeps) or {@link #SENDER_ASKED_TO_FENCE}
     * (still fenceless, but the receiver found membarrier slow: the sender fences from its next publish on and
     * says so with {@link #SENDER_FENCED}).
     */
    static final long SENDER_FENCELESS_OFFSET = 396;
    static final int SENDER_FENCED = 0;
    static final int SENDER_FENCELESS = 1;
    static final int SENDER_ASKED_TO_FENCE = 2;
    /** The receiver's doorbell eventfd, as numbered in its process (0: none); senders take it by pidfd_getfd. */
    static final long DOORBELL_FD_OFFSET = 400;

    static final int HEADER_LENGTH = 512;
    static final int RECORD_HEADER = 8;
    static final int ALIGNMENT = 8;
    static final int PADDING_TYPE = -1;

    /**
     * Ring and header access on the per-message paths, straight on the segments: the offsets there are aligned by
     * construction, and {@link io.ipc4j.shm.SharedBuffer}'s own alignment check cost a measurable share of a
     * 64-byte message.
     */
    static final VarHandle RING_LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle RING_INT = ValueLayout.JAVA_INT.varHandle();

    private ChannelLayout() {
    }

    /** Writes a padding record of {@code length} bytes at {@code index}: the rest of the ring up to its end. */
    static void putPadding(MemorySegment ring, int index, int length) {
        RING_INT.set(ring, index + 4L, PADDING_TYPE);
        RING_INT.setRelease(ring, (long) index, length);
    }

    /** Message types are 0 and up: negative ones mark the ring's own records (padding, a claim in progress). */
    static void checkType(int type) {
        if (type < 0) {
            throw new IllegalArgumentException("message type " + type + " is negative: types are 0 and up "
                    + "(negative ones mark the ring's own records)");
        }
    }

    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
