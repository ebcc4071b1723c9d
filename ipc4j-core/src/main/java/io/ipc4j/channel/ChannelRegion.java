package io.ipc4j.channel;

import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * A channel's region, whatever its kind: the validated header (see {@link ChannelLayout}), the ring after it, the
 * two roles (who sends, who receives: pid, process start time, heartbeat) and their liveness. One object per
 * attached process, shared by that process's senders and receiver.
 *
 * <p>The region is POSIX shared memory ({@link #create}, {@link #open}) or any memory segment the caller supplies
 * ({@link #format}, {@link #attach}): heap memory in unit tests, a mapped file, a System V segment. Only a
 * native segment can be waited on with a futex; over heap memory a receiver sleeps with parkNanos instead.
 */
final class ChannelRegion implements AutoCloseable {
    /** The two roles of a channel, and where the header keeps each one's pid, start time and heartbeat. */
    enum Role {
        SENDER(SENDER_PID_OFFSET, SENDER_START_OFFSET, SENDER_HEARTBEAT_OFFSET),
        RECEIVER(RECEIVER_PID_OFFSET, RECEIVER_START_OFFSET, RECEIVER_HEARTBEAT_OFFSET);

        final long pidOffset;
        final long startOffset;
        final long heartbeatOffset;

        Role(long pidOffset, long startOffset, long heartbeatOffset) {
            this.pidOffset = pidOffset;
            this.startOffset = startOffset;
            this.heartbeatOffset = heartbeatOffset;
        }
    }

    final String name;
    /** Null when the region is not POSIX shared memory (a caller's segment). */
    private final SharedMemory shm;
    final MemorySegment memory;
    final SharedBuffer header;
    final MemorySegment ring;
    final int capacity;
    final int mask;
    /** The longest message: an eighth of the ring, so that a full message always fits once the ring drains. */
    final int maxLength;

    private ChannelRegion(String name, SharedMemory shm, MemorySegment memory, int capacity) {
        this.name = name;
        this.shm = shm;
        this.memory = memory;
        this.header = new SharedBuffer(memory);
        this.ring = memory.asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxLength = capacity / 8 - RECORD_HEADER;
    }

    /** Creates the POSIX shared memory {@code name} for a channel of {@code kind} and writes its header. */
    static ChannelRegion create(String name, int capacity, int kind) throws IOException {
        checkCapacity(capacity);
        SharedMemory shm = SharedMemory.create(name, HEADER_LENGTH + (long) capacity);
        writeHeader(shm.segment(), capacity, kind);
        return new ChannelRegion(name, shm, shm.segment(), capacity);
    }

    /** Maps the existing channel {@code name} of {@code kind}, checking its header. */
    static ChannelRegion open(String name, int kind) throws IOException {
        SharedMemory shm = SharedMemory.open(name);
        try {
            return new ChannelRegion(name, shm, shm.segment(), validate(name, shm.segment(), kind));
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** Writes a new channel of {@code kind} over the whole of {@code memory}, whose ring is the rest. */
    static ChannelRegion format(MemorySegment memory, String name, int kind) {
        checkAlignment(memory, name);
        long capacity = memory.byteSize() - HEADER_LENGTH;
        if (capacity < 0 || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": a channel needs " + HEADER_LENGTH + " header bytes and a "
                    + "ring of a power of two from 1024 bytes to 1 GiB; the segment has " + memory.byteSize());
        }
        checkCapacity((int) capacity);
        writeHeader(memory, (int) capacity, kind);
        return new ChannelRegion(name, null, memory, (int) capacity);
    }

    /** Attaches to the channel of {@code kind} that {@code memory} holds, checking its header. */
    static ChannelRegion attach(MemorySegment memory, String name, int kind) throws ChannelFormatException {
        checkAlignment(memory, name);
        return new ChannelRegion(name, null, memory, validate(name, memory, kind));
    }

    private static void checkAlignment(MemorySegment memory, String name) {
        if (memory.maxByteAlignment() < Long.BYTES) {
            throw new IllegalArgumentException(name + ": a channel's segment must be 8-byte aligned (for heap memory: "
                    + "MemorySegment.ofArray(new long[n]))");
        }
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1024 || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("channel capacity " + capacity + " must be a power of two from 1024 "
                    + "to 1 GiB");
        }
    }

    private static void writeHeader(MemorySegment memory, int capacity, int kind) {
        SharedBuffer h = new SharedBuffer(memory);
        h.putInt(VERSION_OFFSET, VERSION);
        h.putInt(KIND_OFFSET, kind);
        h.putLong(CAPACITY_OFFSET, capacity);
        h.putLong(LENGTH_OFFSET, HEADER_LENGTH + (long) capacity);
        h.putInt(CREATOR_PID_OFFSET, Spawn.currentPid());
        h.putLong(CREATOR_START_OFFSET, ProcessStart.self());
        h.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a region with the magic is complete
    }

    /** The capacity the header of {@code memory} declares, once it checked out as a channel of {@code kind}. */
    private static int validate(String name, MemorySegment memory, int expectedKind) throws ChannelFormatException {
        if (memory.byteSize() < HEADER_LENGTH) {
            throw new ChannelFormatException(name + " is not an ipc4j channel: " + memory.byteSize() + " bytes is "
                    + "smaller than a channel header");
        }
        SharedBuffer h = new SharedBuffer(memory);
        long magic = h.getLongVolatile(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new ChannelFormatException(name + " is not an ipc4j channel (magic 0x" + Long.toHexString(magic)
                    + "): another program's shared memory, or a channel still being created");
        }
        int version = h.getInt(VERSION_OFFSET);
        int kind = h.getInt(KIND_OFFSET);
        if (version != VERSION || kind != expectedKind) {
            throw new ChannelFormatException(name + " is a channel of version " + version + ", kind " + kind
                    + "; this ipc4j reads version " + VERSION + ", kind " + expectedKind + " (" + kindName(expectedKind)
                    + ")");
        }
        long capacity = h.getLong(CAPACITY_OFFSET);
        long length = h.getLong(LENGTH_OFFSET);
        if (capacity < 1024 || capacity > (1 << 30) || Long.bitCount(capacity) != 1
                || length != HEADER_LENGTH + capacity || memory.byteSize() < length) {
            throw new ChannelFormatException(name + " has a corrupt header: capacity " + capacity + ", length "
                    + length + ", region " + memory.byteSize() + " bytes");
        }
        return (int) capacity;
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case KIND_ONE_TO_ONE -> "one-to-one";
            case KIND_MANY_TO_ONE -> "many-to-one";
            default -> "broadcast";
        };
    }

    /** Whether a futex can be waited on here (POSIX shared memory or another native segment). */
    boolean isNative() {
        return memory.isNative();
    }

    /**
     * Takes {@code role} for this process; IllegalStateException if a live process holds it. Records the pid,
     * the process start time (so a reused pid is not taken for the holder) and a first heartbeat.
     */
    void claim(Role role, String label) {
        int self = Spawn.currentPid();
        while (true) {
            int pid = header.getIntVolatile(role.pidOffset);
            if (pid != 0 && pid != self && ProcessStart.alive(pid, header.getLongVolatile(role.startOffset))) {
                throw new IllegalStateException(name + " already has a live " + label + ": pid " + pid);
            }
            if (header.compareAndSetInt(role.pidOffset, pid, self)) {
                header.putLongVolatile(role.startOffset, ProcessStart.self());
                beat(role);
                return;
            }
        }
    }

    /** The pid holding {@code role}, 0 if none. */
    int pid(Role role) {
        return header.getIntVolatile(role.pidOffset);
    }

    /** The last sign of life of {@code role}'s holder, in epoch milliseconds. */
    long heartbeatMillis(Role role) {
        return header.getLongVolatile(role.heartbeatOffset);
    }

    /** Records a sign of life of {@code role}. */
    void beat(Role role) {
        header.putLongRelease(role.heartbeatOffset, System.currentTimeMillis());
    }

    /** Whether {@code role} is held by a process that has ended. */
    boolean holderDead(Role role) {
        int pid = header.getIntVolatile(role.pidOffset);
        return pid != 0 && !ProcessStart.alive(pid, header.getLongVolatile(role.startOffset));
    }

    /**
     * Checks with fstat, touching no mapped memory, that the region still has all its bytes: a wait checks
     * this before it reads the ring again, so a truncation while waiting is a clear error, not a fault.
     */
    void checkSize() throws IOException {
        if (shm != null && shm.objectSize() < HEADER_LENGTH + (long) capacity) {
            throw truncated(null);
        }
    }

    /**
     * The JVM's InternalError for a fault in a mapped region (SIGBUS: the file behind it was truncated) as one
     * clear error naming the region and its size now.
     */
    ChannelFormatException truncated(InternalError e) {
        long now;
        try {
            now = shm == null ? memory.byteSize() : shm.objectSize();
        } catch (IOException | RuntimeException gone) {
            now = -1;
        }
        ChannelFormatException f = new ChannelFormatException(name + ": the region was truncated under this"
                + " process (" + (now < 0 ? "its file is gone" : "now " + now + " bytes") + "; the channel needs "
                + (HEADER_LENGTH + (long) capacity) + "): some other process shrank it; the channel cannot go on");
        if (e != null) {
            f.initCause(e);
        }
        return f;
    }

    /** Unmaps this process's view of POSIX shared memory; a caller's segment stays the caller's. */
    @Override
    public void close() {
        if (shm != null) {
            shm.close();
        }
    }

    @Override
    public String toString() {
        return name + " (" + capacity + " bytes)";
    }
}
