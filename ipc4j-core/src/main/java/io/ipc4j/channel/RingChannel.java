package io.ipc4j.channel;

import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.event.EventFd;
import io.ipc4j.internal.wait.Backoff;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.process.Affinity;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.Futex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import static io.ipc4j.channel.ChannelDescriptor.*;

/**
 * What the shared-memory channels have in common: the region and its validated header (see
 * {@link ChannelDescriptor}), the receiving side, waiting, wake-ups and dead-peer checks. The senders are
 * {@link OneToOneChannel} and {@link ManyToOneChannel}'s own.
 */
public abstract class RingChannel implements AutoCloseable {
    static final long CHECK_NANOS = 100_000_000L;
    /** The longest sleep when the fence for a fenceless sender failed (a wake-up may be missed then). */
    static final long UNFENCED_SLEEP_NANOS = 1_000_000L;
    /** Heartbeats are written every 4096 messages while busy: a clock read per message would cost more. */
    static final long BEAT_EVERY = 4095;
    /** Empty polls between clock reads while spinning. */
    static final int SPIN_BURST = 64;
    /** Spins before a waiting side yields or parks: none when this process may use only one CPU. */
    static final int SPINS = Integer.getInteger("io.ipc4j.channel.spins",
            Affinity.processCpuCount() > 1 ? 2_048 : 0);
    /**
     * Ring and header access on the per-message paths, straight on the segments: the offsets there are aligned by
     * construction, and {@link SharedBuffer}'s own alignment check cost a measurable share of a 64-byte message.
     */
    static final VarHandle RING_LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle RING_INT = ValueLayout.JAVA_INT.varHandle();

    final String name;
    final SharedMemory shm;
    final SharedBuffer header;
    /** The header's segment, for the per-message reads (a SharedBuffer adds an alignment check). */
    final MemorySegment headerSegment;
    final MemorySegment ring;
    final int capacity;
    final int mask;
    /** {@link #maxMessageLength()}, read on every send. */
    final int maxLength;
    private long published;

    RingChannel(String name, SharedMemory shm, int capacity) {
        this.name = name;
        this.shm = shm;
        this.header = shm.buffer();
        this.headerSegment = shm.segment();
        this.ring = shm.segment().asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxLength = capacity / 8 - RECORD_HEADER;
    }

    /**
     * Whether the receiver zeroes each record it consumed. A single sender zeroes the next record's header
     * itself when it commits (as Agrona's one-to-one ring does), so the receiver never writes the ring and the
     * sender never has to fetch ring cache lines back from the receiver's core; several senders cannot (one may
     * already have claimed the next slot), so for them the receiver clears.
     */
    abstract boolean receiverClears();

    /** Creates the shared memory region of a channel of {@code kind} and writes its header. */
    static SharedMemory createRegion(String name, int capacity, int kind) throws IOException {
        if (capacity < 1024 || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("channel capacity " + capacity + " must be a power of two from 1024 "
                    + "to 1 GiB");
        }
        SharedMemory shm = SharedMemory.create(name, HEADER_LENGTH + (long) capacity);
        SharedBuffer h = shm.buffer();
        h.putInt(VERSION_OFFSET, VERSION);
        h.putInt(KIND_OFFSET, kind);
        h.putLong(CAPACITY_OFFSET, capacity);
        h.putLong(LENGTH_OFFSET, HEADER_LENGTH + (long) capacity);
        h.putInt(CREATOR_PID_OFFSET, Spawn.currentPid());
        h.putLong(CREATOR_START_OFFSET, ProcessStart.self());
        h.putLongVolatile(MAGIC_OFFSET, MAGIC); // last: a region with the magic is complete
        return shm;
    }

    /** Maps an existing channel of {@code kind}, checking its header; returns the region and its capacity. */
    static SharedMemory openRegion(String name, int kind) throws IOException {
        SharedMemory shm = SharedMemory.open(name);
        try {
            validate(name, shm, kind);
            return shm;
        } catch (IOException | RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    private static int validate(String name, SharedMemory shm, int expectedKind) throws ChannelFormatException {
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
        if (version != VERSION || kind != expectedKind) {
            throw new ChannelFormatException(name + " is a channel of version " + version + ", kind " + kind
                    + "; this ipc4j reads version " + VERSION + ", kind " + expectedKind + " ("
                    + switch (expectedKind) {
                        case KIND_ONE_TO_ONE -> "one-to-one";
                        case KIND_MANY_TO_ONE -> "many-to-one";
                        default -> "broadcast";
                    } + ")");
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

    static int capacityOf(SharedMemory shm) {
        return (int) shm.buffer().getLong(CAPACITY_OFFSET);
    }

    /**
     * Removes the channel's name; attached processes keep working. False if it was gone.
     *
     * @param name its name
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        return SharedMemory.unlink(name);
    }

    /**
     * How many empty polls a waiting side spins before it sleeps (a SPIN_PARK receiver before its futex wait, a
     * SPIN_PARK sender before it backs off): 0 when this process may use only one CPU (see
     * {@link Affinity#processCpuCount()}: a thread pinned to one CPU does not count as one), where spinning only
     * keeps the peer off the CPU it waits for. The system property {@code io.ipc4j.channel.spins} sets it.
     *
     * @return how many empty polls a waiting side spins before it sleeps
     */
    public static int spinsBeforeSleeping() {
        return SPINS;
    }

    /**
     * The longest message: an eighth of the ring, so that a full message always fits once the ring drains.
     *
     * @return the longest message: an eighth of the ring, so that a full message always fits once the ring drains
     */
    public int maxMessageLength() {
        return maxLength;
    }

    /** {@return the ring's capacity in bytes} */
    public int capacity() {
        return capacity;
    }

    /** {@return the channel's POSIX shared memory name} */
    public String name() {
        return name;
    }

    /**
     * Becomes the channel's receiver; IllegalStateException if a live process already is.
     *
     * @return the {@code Receiver}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Receiver receiver() throws IOException {
        claim(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET, "receiver");
        return new Receiver();
    }

    void claim(long pidOffset, long startOffset, String role) {
        int self = Spawn.currentPid();
        while (true) {
            int pid = header.getIntVolatile(pidOffset);
            if (pid != 0 && pid != self && ProcessStart.alive(pid, header.getLongVolatile(startOffset))) {
                throw new IllegalStateException(name + " already has a live " + role + ": pid " + pid);
            }
            if (header.compareAndSetInt(pidOffset, pid, self)) {
                header.putLongVolatile(startOffset, ProcessStart.self());
                header.putLongRelease(startOffset + 8, System.currentTimeMillis()); // the heartbeat follows
                return;
            }
        }
    }

    /**
     * The pid of the registered sender (0: none; many-to-one senders do not register).
     *
     * @return the pid of the registered sender
     */
    public int senderPid() {
        return header.getIntVolatile(PRODUCER_PID_OFFSET);
    }

    /**
     * The pid of the registered receiver (0: none yet).
     *
     * @return the pid of the registered receiver
     */
    public int receiverPid() {
        return header.getIntVolatile(CONSUMER_PID_OFFSET);
    }

    /**
     * The sender's last sign of life: attach, every 4096 messages, every 100 ms of waiting (epoch ms).
     *
     * @return the sender's last sign of life: attach, every 4096 messages, every 100 ms of waiting
     */
    public long senderHeartbeatMillis() {
        return header.getLongVolatile(PRODUCER_HEARTBEAT_OFFSET);
    }

    /**
     * The receiver's last sign of life, as {@link #senderHeartbeatMillis()}.
     *
     * @return the receiver's last sign of life, as {@link #senderHeartbeatMillis()}
     */
    public long receiverHeartbeatMillis() {
        return header.getLongVolatile(CONSUMER_HEARTBEAT_OFFSET);
    }

    /** Records a sign of life in the heartbeat at {@code offset}. */
    final void beat(long offset) {
        header.putLongRelease(offset, System.currentTimeMillis());
    }

    boolean peerDead(long pidOffset, long startOffset) {
        int pid = header.getIntVolatile(pidOffset);
        return pid != 0 && !ProcessStart.alive(pid, header.getLongVolatile(startOffset));
    }

    /** Unmaps this process's view and closes its doorbell descriptors; the channel stays until {@link #unlink}. */
    @Override
    public void close() {
        Doorbell doorbell = receiverDoorbell;
        if (doorbell != null) {
            doorbell.close(); // this process's receiver's eventfd
        }
        synchronized (this) {
            if (bell != null) {
                bell.close(); // this process's copy of the receiver's eventfd, as a sender
                bell = null;
            }
        }
        shm.close();
    }

    /** The doorbell of this process's receiver, if it made one: closed with the channel. */
    private volatile Doorbell receiverDoorbell;

    @Override
    public String toString() {
        return "channel " + name + " (" + capacity + " bytes)";
    }

    /**
     * Commits the record at {@code index}: its length last, with release semantics (volatile when the receiver
     * may park, so that the store is ordered before the check of its sleep announcement), then wakes it if it
     * announced a sleep.
     */
    final void publish(SharedBuffer ringBuffer, int index, int recordLength) {
        if ((++published & BEAT_EVERY) == 0) {
            beat(PRODUCER_HEARTBEAT_OFFSET);
        }
        if (header.getIntAcquire(RECEIVER_PARKS_OFFSET) == 0) {
            ringBuffer.putIntRelease(index, recordLength); // a spinning receiver needs no wake-up
            return;
        }
        ringBuffer.putIntVolatile(index, recordLength);
        if (header.getIntVolatile(CONSUMER_WAITING_OFFSET) != 0) {
            header.getAndAddInt(WAKE_SEQUENCE_OFFSET, 1);
            wake();
        }
    }

    /**
     * Commits a one-to-one record with one 8-byte store of its header, length and type together (little
     * endian: the length is the low word), so that the header's cache line is written once, at the end, and a
     * spinning receiver cannot pull it away between a type store and a length store.
     */
    final void publishRecord(int index, int recordLength, int type, boolean fenceless) {
        if ((++published & BEAT_EVERY) == 0) {
            beat(PRODUCER_HEARTBEAT_OFFSET);
        }
        long headerWord = ((long) type << 32) | (recordLength & 0xffff_ffffL);
        if ((int) RING_INT.getAcquire(headerSegment, RECEIVER_PARKS_OFFSET) == 0) {
            RING_LONG.setRelease(ring, (long) index, headerWord);
            return;
        }
        if (fenceless) { // the receiver fences for us before it sleeps (AsymmetricFence)
            RING_LONG.setRelease(ring, (long) index, headerWord);
            if ((int) RING_INT.getAcquire(headerSegment, CONSUMER_WAITING_OFFSET) != 0) {
                wakeReceiver();
            }
            return;
        }
        RING_LONG.setVolatile(ring, (long) index, headerWord);
        if (header.getIntVolatile(CONSUMER_WAITING_OFFSET) != 0) {
            wakeReceiver();
        }
    }

    private void wakeReceiver() {
        header.getAndAddInt(WAKE_SEQUENCE_OFFSET, 1);
        wake();
    }

    /** A sender's claimed record, not yet committed (zero-copy sends). One claim at a time per sender. */
    final class PendingClaim {
        private int index = -1;
        private int type;
        private int length;
        private int aligned;

        boolean isOpen() {
            return index >= 0;
        }

        /** Records a claim of the record at {@code at}; returns the payload offset. */
        int open(int at, int claimedType, int claimedLength, int claimedAligned) {
            index = at;
            type = claimedType;
            length = claimedLength;
            aligned = claimedAligned;
            return at + RECORD_HEADER;
        }

        int type() {
            return type;
        }

        /** The claimed record's length in the ring, header and alignment included. */
        int aligned() {
            return aligned;
        }

        /**
         * Checks a commit of {@code committed} bytes at {@code payloadOffset} against the claim and closes it;
         * returns the record's index. A shorter commit makes the rest of the claim a padding record that the
         * receiver skips (written before the record is published, so it becomes visible with it).
         *
         * @throws IllegalStateException if nothing was claimed at that offset.
         * @throws IllegalArgumentException if {@code committed} is above the claimed length; the claim stays open.
         */
        int commit(int payloadOffset, int committed) {
            int at = payloadOffset - RECORD_HEADER;
            if (at != index) {
                throw new IllegalStateException("commit of offset " + payloadOffset + " without a matching claim");
            }
            if (committed < 0 || committed > length) {
                throw new IllegalArgumentException("commit of " + committed + " bytes where " + length + " were "
                        + "claimed: a message may be committed shorter than its claim, never longer");
            }
            int used = align(committed + RECORD_HEADER);
            if (used < aligned) {
                RING_LONG.set(ring, (long) at + used, ((long) PADDING_TYPE << 32) | (aligned - used));
            }
            index = -1;
            return at;
        }
    }

    /** One attempt to send: true if the message went in. */
    @FunctionalInterface
    interface Attempt {
        boolean tryOnce();
    }

    /**
     * Repeats {@code attempt} while the ring is full, at most {@code timeout}, idling as {@code strategy} says:
     * BUSY_SPIN spins; SPIN_PARK spins a while (with more than one CPU), then backs off like SPIN_YIELD, with
     * yields and growing sleeps up to 1 ms (a sender is not woken by a futex: that would put a check on every
     * receive). Checks every 100 ms that the receiver still lives; the clock is read once per 64 attempts while
     * spinning.
     */
    final void sendWaiting(Attempt attempt, WaitStrategy strategy, Duration timeout) throws IOException {
        int spun = 0;
        if (strategy == WaitStrategy.BUSY_SPIN || strategy == WaitStrategy.SPIN_PARK && SPINS > 0) {
            for (; spun < SPIN_BURST; spun++) { // most waits end within one burst: no clock read for them
                Thread.onSpinWait();
                if (attempt.tryOnce()) {
                    return;
                }
            }
        }
        Deadline deadline = Deadline.after(timeout);
        long nextCheck = System.nanoTime() + CHECK_NANOS;
        Backoff backoff = null;
        while (true) {
            boolean spinning = strategy == WaitStrategy.BUSY_SPIN || strategy == WaitStrategy.SPIN_PARK && spun < SPINS;
            int attempts = spinning ? SPIN_BURST : 1;
            for (int i = 0; i < attempts; i++) {
                if (attempt.tryOnce()) {
                    return;
                }
                if (spinning) {
                    Thread.onSpinWait();
                }
            }
            spun = spinning ? Math.min(spun + attempts, SPINS) : spun;
            if (!spinning) {
                backoff = backoff == null ? new Backoff() : backoff;
                backoff.idle(deadline);
            }
            if (deadline.hasPassed()) {
                throw new IpcTimeoutException("send(" + name + "): the channel is full", timeout, 0);
            }
            long now = System.nanoTime();
            if (now - nextCheck > 0) {
                nextCheck = now + CHECK_NANOS;
                checkRegion();
                checkSenderPositions();
                beat(PRODUCER_HEARTBEAT_OFFSET);
                if (peerDead(CONSUMER_PID_OFFSET, CONSUMER_START_OFFSET)) {
                    throw new PeerDeadException("send(" + name + "): the receiver, pid "
                            + header.getIntVolatile(CONSUMER_PID_OFFSET) + ", died with the channel full");
                }
            }
        }
    }

    /**
     * While a sender waits for room: the receiver's position must be behind the sender's, by at most a ring.
     * A corrupt one would make the sender wait for room forever (or write over unread records).
     */
    private void checkSenderPositions() throws ChannelFormatException {
        try {
            long head = header.getLongVolatile(HEAD_OFFSET);
            long tail = header.getLongVolatile(TAIL_OFFSET);
            if (tail - head < 0 || tail - head > capacity) {
                throw new ChannelFormatException(name + ": corrupt header: the receiver's position " + head + " is "
                        + (tail - head) + " bytes behind the sender's " + tail + " (a ring holds " + capacity + ")");
            }
        } catch (InternalError e) {
            throw truncated(e);
        }
    }

    /**
     * The JVM's InternalError for a fault in a mapped region (SIGBUS: the file behind it was truncated) as one
     * clear error naming the region and its size now.
     */
    final ChannelFormatException truncated(InternalError e) {
        long now;
        try {
            now = shm.objectSize();
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

    /**
     * Checks with fstat, touching no mapped memory, that the region still has all its bytes: a wait checks
     * this before it reads the ring again, so a truncation while waiting is a clear error, not a fault.
     */
    final void checkRegion() throws IOException {
        if (shm.objectSize() < HEADER_LENGTH + (long) capacity) {
            throw truncated(null);
        }
    }

    void wake() {
        try {
            Futex.wake(shm.segment(), WAKE_SEQUENCE_OFFSET, 1);
            int doorbell = header.getIntVolatile(DOORBELL_FD_OFFSET);
            if (doorbell != 0) {
                ringDoorbell(doorbell);
            }
        } catch (IOException e) {
            throw new IllegalStateException("waking the receiver of " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** This sender's copy of the receiver's doorbell, and whose it is (the fd number and pid in the receiver). */
    private EventFd bell;
    private long bellOwner;
    private long rings;

    /**
     * Rings the receiver's doorbell, first taking a copy of its eventfd with pidfd_getfd (Linux 5.6+; ptrace
     * access to the receiver, which a process of the same user has unless Yama's ptrace_scope says otherwise).
     */
    private synchronized void ringDoorbell(int fd) throws IOException {
        int pid = header.getIntVolatile(CONSUMER_PID_OFFSET);
        long owner = (long) pid << 32 | fd;
        if (bell == null || bellOwner != owner) {
            if (bell != null) {
                bell.close();
                bell = null;
            }
            int pidfd = Failures.check(ProcessCalls.pidfdOpen(pid), "pidfd_open", "pid " + pid);
            try {
                int copy = ProcessCalls.pidfdGetfd(pidfd, fd);
                if (copy < 0) {
                    throw Failures.of("pidfd_getfd", "the doorbell of " + name + " (eventfd " + fd + " of receiver pid "
                            + pid + ")", -copy, ProcessCalls.pidfdGetfdAdvice(-copy));
                }
                bell = EventFd.fromInherited(copy);
            } finally {
                FileCalls.closeQuietly(pidfd);
            }
            bellOwner = owner;
        }
        bell.signal(1);
        rings++;
    }

    /**
     * How often this sender rang the receiver's doorbell: once per sleep of the receiver, not per message.
     *
     * @return how often this sender rang the receiver's doorbell: once per sleep of the receiver, not per message
     */
    public synchronized long doorbellRings() {
        return rings;
    }

    /**
     * A receiver's doorbell: an eventfd that a sender rings when it wakes the receiver, so that the receiver can
     * wait for messages in an {@link io.ipc4j.event.EventLoop} together with descriptors. Register it for
     * reading; when it is ready, call {@link Receiver#drain}. While the receiver is busy no sender makes a
     * system call: it rings only after the receiver announced that it sleeps ({@link Receiver#drain} does that
     * once the ring is empty). Closing it takes it out of the channel (receive() parks on the futex again).
     */
    public final class Doorbell implements NativeDescriptor {
        private final EventFd eventfd;

        private Doorbell(EventFd eventfd) {
            this.eventfd = eventfd;
        }

        @Override
        public int fd() throws java.nio.channels.ClosedChannelException {
            return eventfd.fd();
        }

        @Override
        public boolean isOpen() {
            return eventfd.isOpen();
        }

        long take() throws IOException {
            return eventfd.tryTake();
        }

        @Override
        public void close() {
            if (eventfd.isOpen()) {
                try {
                    header.compareAndSetInt(DOORBELL_FD_OFFSET, eventfd.fd(), 0);
                } catch (java.nio.channels.ClosedChannelException e) {
                    // closed meanwhile by another thread
                }
            }
            eventfd.close();
        }

        @Override
        public String toString() {
            return "doorbell of " + name;
        }
    }

    /** Called with each message: a view of the ring, valid only during the call. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * One message, to read before returning: the ring is reused afterwards.
         *
         * @param type   its type
         * @param ring   the ring
         * @param offset where its payload starts in {@code ring}
         * @param length its payload's length
         */
        void onMessage(int type, MemorySegment ring, int offset, int length);
    }

    /** The receiving side. One thread at a time. */
    public final class Receiver {
        private final SharedBuffer buffer = new SharedBuffer(ring);
        private long head = header.getLongVolatile(HEAD_OFFSET);
        private WaitStrategy strategy = WaitStrategy.SPIN_PARK;
        private final boolean clears = receiverClears();

        private Doorbell doorbell;

        private Receiver() {
            header.putIntVolatile(DOORBELL_FD_OFFSET, 0); // an earlier receiver's doorbell is not ours
            header.putIntVolatile(RECEIVER_PARKS_OFFSET, 1);
        }

        /**
         * This receiver's {@link Doorbell} (made on first call), to wait for messages in an event loop. Makes the
         * senders' wake-ups ring it, whatever the wait strategy; {@link #receive} keeps working.
         *
         * @return this receiver's {@link Doorbell}
         * @throws IOException if the call fails: the message names the call, the object and the errno
         */
        public Doorbell doorbell() throws IOException {
            if (doorbell == null || !doorbell.isOpen()) {
                doorbell = new Doorbell(EventFd.create(0, EventFd.Mode.COUNTER));
                receiverDoorbell = doorbell;
                header.putIntVolatile(DOORBELL_FD_OFFSET, doorbell.fd());
                header.putIntVolatile(RECEIVER_PARKS_OFFSET, 1);
            }
            return doorbell;
        }

        /**
         * For the doorbell's handler: hands every waiting message to {@code handler} (at most {@code limit} in a
         * turn, so that one busy channel does not starve a loop's other objects), then, once the ring is empty,
         * announces that this receiver sleeps, so that the next message rings the doorbell. Returns how many
         * it handled. If it stopped at {@code limit} with messages left, it rings its own doorbell, so that a
         * level-triggered loop comes back to it.
         *
         * @param handler what to call
         * @param limit the most to handle in this call
         * @return how many messages it handled
         * @throws IOException if the call fails: the message names the call, the object and the errno
         */
        public int drain(MessageHandler handler, int limit) throws IOException {
            woken();
            int count = 0;
            while (true) {
                count += poll(handler, limit - count);
                if (count >= limit) {
                    doorbell.eventfd.signal(1); // more may wait: come back after the loop's other objects
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
         * @throws IOException if the call fails: the message names the call, the object and the errno
         */
        public boolean announceSleep() throws IOException {
            doorbell();
            header.putIntVolatile(CONSUMER_WAITING_OFFSET, 1);
            if (header.getIntVolatile(SENDER_FENCELESS_OFFSET) != 0) {
                // orders a fenceless sender's store before its check; if membarrier failed, a wake-up can be
                // missed, the same rare case as a futex park's (see missedWakeups), with no timeout to end it
                AsymmetricFence.receiverFence();
            }
            if (buffer.getIntVolatile((int) (head & mask)) <= 0) {
                return true;
            }
            header.putIntVolatile(CONSUMER_WAITING_OFFSET, 0);
            return false;
        }

        /**
         * After the doorbell rang: takes its count and withdraws the sleep announcement.
         *
         * @throws IOException if the call fails: the message names the call, the object and the errno
         */
        public void woken() throws IOException {
            doorbell().take();
            header.putIntVolatile(CONSUMER_WAITING_OFFSET, 0);
        }

        /**
         * How {@link #receive} waits. Tells the sender whether it must ever wake this receiver.
         *
         * @param waitStrategy how to wait
         * @return how {@link #receive} waits
         */
        public Receiver waitStrategy(WaitStrategy waitStrategy) {
            this.strategy = Objects.requireNonNull(waitStrategy);
            header.putIntVolatile(RECEIVER_PARKS_OFFSET, waitStrategy == WaitStrategy.SPIN_PARK ? 1 : 0);
            return this;
        }

        /**
         * Hands up to {@code limit} waiting messages to {@code handler}; returns how many. Never waits.
         *
         * @param handler what to call
         * @param limit the most to handle in this call
         * @return how many messages were handed over
         * @throws ChannelFormatException if the record at the head cannot have been written by a sender (a
         *                                corrupt ring), or the region was truncated under this receiver.
         */
        public int poll(MessageHandler handler, int limit) throws ChannelFormatException {
            try {
                return pollRecords(handler, limit);
            } catch (InternalError e) {
                throw truncated(e);
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

        /**
         * Receives one message into {@code dst} if there is one: its type, or Integer.MIN_VALUE. Never waits.
         *
         * @param dst the buffer to fill, from its position up to its limit
         * @return its type, or Integer.MIN_VALUE
         * @throws ChannelFormatException if the record at the head cannot have been written by a sender (a
         *                                corrupt ring), or the region was truncated under this receiver.
         */
        public int receiveNow(ByteBuffer dst) throws ChannelFormatException {
            try {
                return receiveRecord(dst);
            } catch (InternalError e) {
                throw truncated(e);
            }
        }

        private int receiveRecord(ByteBuffer dst) throws ChannelFormatException {
            while (true) {
                int index = (int) head & mask;
                int length = (int) RING_INT.getAcquire(ring, (long) index);
                if (length <= 0) {
                    return Integer.MIN_VALUE;
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
                MemorySegment.copy(ring, index + RECORD_HEADER, targets.of(dst), position, payload);
                dst.position(position + payload);
                consumed(index, length);
                return type;
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
                throw new ChannelFormatException(name + ": corrupt record at ring offset " + index + " (byte "
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
            long tail = header.getLongVolatile(TAIL_OFFSET);
            long ahead = tail - head;
            if (ahead < -capacity || ahead > capacity) {
                throw new ChannelFormatException(name + ": corrupt header: the sender's position " + tail + " is "
                        + ahead + " bytes from the receiver's " + head + " (a ring holds " + capacity + ")");
            }
            int length = buffer.getIntAcquire((int) (head & mask));
            if (!clears && ahead > 0 && length == 0) {
                throw new ChannelFormatException(name + ": corrupt record at ring offset " + (head & mask)
                        + ": the sender is " + ahead + " bytes ahead, yet the record there has length 0");
            }
        }

        /** After a message was handed over: counts it (a heartbeat every 4096) and frees its record. */
        private void consumed(int index, int length) {
            if ((++consumed & BEAT_EVERY) == 0) {
                beat(CONSUMER_HEARTBEAT_OFFSET);
            }
            consume(index, align(length));
        }

        /** Frees the record at {@code index} for the sender: zeroes it if this channel's receiver clears. */
        private void consume(int index, int aligned) {
            if (clears) {
                clear(index, aligned);
            }
            head += aligned;
            header.putLongRelease(HEAD_OFFSET, head);
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
         * @param dst the buffer to fill, from its position up to its limit
         * @param timeout the longest this call waits
         * @return its type.
         * @throws IpcTimeoutException if none came.
         * @throws PeerDeadException if the sender died and nothing is left to read.
         */
        public int receive(ByteBuffer dst, Duration timeout) throws IOException {
            try {
                int type = receiveNow(dst);
                return type != Integer.MIN_VALUE ? type : await(dst, timeout);
            } catch (InternalError e) { // a fault in the mapping is delivered late: it may surface here
                throw truncated(e);
            }
        }

        /**
         * Waits for a message. Spinning polls in bursts of {@link #SPIN_BURST} without reading the clock, and
         * checks the deadline and the sender's life between bursts (the first burst comes before the deadline is
         * even computed): two clock reads per empty poll delayed noticing a message by as much (64-byte round
         * trip p50 0.37 µs with them, 0.29 µs without, here).
         */
        private int await(ByteBuffer dst, Duration timeout) throws IOException {
            int spun = 0;
            if (strategy == WaitStrategy.BUSY_SPIN || strategy == WaitStrategy.SPIN_PARK && SPINS > 0) {
                for (; spun < SPIN_BURST; spun++) { // most waits end within one burst: no clock read for them
                    Thread.onSpinWait();
                    int type = receiveNow(dst);
                    if (type != Integer.MIN_VALUE) {
                        return type;
                    }
                }
            }
            Deadline deadline = Deadline.after(timeout);
            long nextCheck = System.nanoTime() + CHECK_NANOS;
            Backoff backoff = null;
            while (true) {
                boolean spinning = strategy == WaitStrategy.BUSY_SPIN
                        || strategy == WaitStrategy.SPIN_PARK && spun < SPINS;
                int polls = spinning ? SPIN_BURST : 1;
                for (int i = 0; i < polls; i++) {
                    int type = receiveNow(dst);
                    if (type != Integer.MIN_VALUE) {
                        return type;
                    }
                    if (spinning) {
                        Thread.onSpinWait();
                    }
                }
                spun = spinning ? Math.min(spun + polls, SPINS) : spun;
                if (deadline.hasPassed()) {
                    throw new IpcTimeoutException("receive(" + name + ")", timeout, 0);
                }
                if (System.nanoTime() - nextCheck > 0) {
                    nextCheck = System.nanoTime() + CHECK_NANOS;
                    checkRegion();
                    beat(CONSUMER_HEARTBEAT_OFFSET);
                    if (skipAbandoned()) {
                        continue;
                    }
                    try {
                        checkPositions();
                    } catch (InternalError e) {
                        throw truncated(e);
                    }
                    if (peerDead(PRODUCER_PID_OFFSET, PRODUCER_START_OFFSET)
                            && buffer.getIntAcquire((int) (head & mask)) <= 0) {
                        throw new PeerDeadException("receive(" + name + "): the sender, pid "
                                + header.getIntVolatile(PRODUCER_PID_OFFSET) + ", died and nothing is left to read");
                    }
                }
                if (!spinning) {
                    if (strategy == WaitStrategy.SPIN_YIELD) {
                        backoff = backoff == null ? new Backoff() : backoff;
                        backoff.idle(deadline);
                    } else {
                        park(deadline);
                    }
                }
            }
        }

        /**
         * Announces the sleep, fences for a fenceless sender ({@link AsymmetricFence}), re-checks, then sleeps on
         * the wake sequence for at most 100 ms (1 ms if that fence failed: a wake-up may then be missed).
         */
        private void park(Deadline deadline) throws IOException {
            int sequence = header.getIntVolatile(WAKE_SEQUENCE_OFFSET);
            header.putIntVolatile(CONSUMER_WAITING_OFFSET, 1);
            try {
                boolean fenced = header.getIntVolatile(SENDER_FENCELESS_OFFSET) == 0 || AsymmetricFence.receiverFence();
                if (buffer.getIntVolatile((int) (head & mask)) <= 0) {
                    long nanos = fenced ? CHECK_NANOS : UNFENCED_SLEEP_NANOS;
                    nanos = Math.max(1, Math.min(nanos, deadline.nanosLeft()));
                    Futex.Wake how;
                    try {
                        how = Futex.await(shm.segment(), WAKE_SEQUENCE_OFFSET, sequence, Duration.ofNanos(nanos));
                    } catch (IOException e) { // EFAULT: the futex word's page is gone
                        checkRegion();
                        throw e;
                    }
                    checkRegion(); // before this thread touches the region again
                    if (how == Futex.Wake.TIMED_OUT && header.getIntVolatile(WAKE_SEQUENCE_OFFSET) == sequence
                            && buffer.getIntVolatile((int) (head & mask)) > 0) {
                        missedWakeups++; // a message came during the sleep and no sender tried to wake us
                    }
                }
            } finally {
                header.putIntVolatile(CONSUMER_WAITING_OFFSET, 0);
            }
        }

        private long lost;
        private long missedWakeups;

        /**
         * Sleeps that ran out with a message waiting and no wake-up tried: lost wake-ups, each costing up to 100 ms.
         * Always 0 unless the fence that orders a sender's store before its check failed (see the README).
         *
         * @return sleeps that ran out with a message waiting and no wake-up tried: lost wake-ups, each costing up to 100 ms
         */
        public long missedWakeups() {
            return missedWakeups;
        }
        private long consumed;

        /**
         * Messages skipped because their sender died between claiming room and committing (many-to-one).
         *
         * @return messages skipped because their sender died between claiming room and committing
         */
        public long lostMessages() {
            return lost;
        }

        /**
         * Skips a record claimed by a sender that died before committing it: its length is negative (the room
         * claimed) and its type slot holds -pid of the claimer (see {@link ManyToOneChannel}).
         */
        private boolean skipAbandoned() {
            int index = (int) (head & mask);
            int length = buffer.getIntAcquire(index);
            if (length >= 0) {
                return false;
            }
            int pid = -ring.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, index + 4L);
            if (pid <= 0 || ProcessStart.alive(pid, 0)) {
                return false;
            }
            clear(index, -length);
            head -= length;
            header.putLongRelease(HEAD_OFFSET, head);
            lost++;
            return true;
        }

        private final BufferSegments targets = new BufferSegments();
    }
}
