package io.ipc4j.channel;

import io.ipc4j.event.EventFd;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.process.Affinity;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.Futex;

import java.io.IOException;

import static io.ipc4j.channel.ChannelLayout.*;

/**
 * What the two ring channels ({@link OneToOneChannel}, {@link ManyToOneChannel}) share: the region, the
 * receiving side ({@link RingReceiver}), and how a sender wakes a sleeping receiver. Each attached process has
 * its own channel object; closing it unmaps the region and leaves the channel to the others.
 */
public abstract sealed class RingChannel implements AutoCloseable permits OneToOneChannel, ManyToOneChannel {
    /** Heartbeats are written every 4096 messages while busy: a clock read per message would cost more. */
    static final long BEAT_EVERY = 4095;
    /** Spins before a waiting side sleeps: none when this process may use only one CPU. */
    private static final int SPINS = Integer.getInteger("io.ipc4j.channel.spins",
            Affinity.processCpuCount() > 1 ? 2_048 : 0);

    final ChannelRegion region;
    private final String kind;
    /** This process's receiver's doorbell, if it made one: closed with the channel. */
    private volatile Doorbell receiverDoorbell;
    /** This process's copy of the receiver's doorbell, as a sender, and whose it is (pid and fd there). */
    private EventFd bell;
    private long bellOwner;
    private long rings;

    RingChannel(ChannelRegion region, String kind) {
        this.region = region;
        this.kind = kind;
    }

    /**
     * Removes a channel's name; attached processes keep working.
     *
     * @param name its name
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        return SharedMemory.unlink(name);
    }

    /**
     * How many idle turns {@link IdleStrategy#spinPark()} spins before it sleeps: 0 when this process may use only
     * one CPU (see {@link Affinity#processCpuCount()}), where spinning only keeps the peer off the CPU it waits
     * for. The system property {@code io.ipc4j.channel.spins} sets it.
     *
     * @return how many idle turns a spin-park side spins before it sleeps
     */
    public static int spinsBeforeSleeping() {
        return SPINS;
    }

    /**
     * Whether the receiver zeroes each record it consumed: a single sender zeroes the next record's header
     * itself when it commits (as Agrona's one-to-one ring does), so that the receiver never writes the ring;
     * several senders cannot (one may already have claimed the next slot).
     */
    abstract boolean receiverClears();

    /** {@return the longest message: an eighth of the ring, so that a full message always fits once it drains} */
    public int maxMessageLength() {
        return region.maxLength;
    }

    /** {@return the ring's capacity in bytes} */
    public int capacity() {
        return region.capacity;
    }

    /** {@return the channel's name: its POSIX shared memory name, or the description given with its segment} */
    public String name() {
        return region.name;
    }

    /**
     * Becomes the channel's receiver; IllegalStateException if a live process already is.
     *
     * @return the receiving side, for one thread at a time
     */
    public RingReceiver receiver() {
        region.claim(ChannelRegion.Role.RECEIVER, "receiver");
        return new RingReceiver(this);
    }

    /** {@return the pid of the registered sender (0: none; many-to-one senders do not register)} */
    public int senderPid() {
        return region.pid(ChannelRegion.Role.SENDER);
    }

    /** {@return the pid of the registered receiver (0: none yet)} */
    public int receiverPid() {
        return region.pid(ChannelRegion.Role.RECEIVER);
    }

    /** {@return the sender's last sign of life (epoch ms): attach, every 4096 messages, every 100 ms of waiting} */
    public long senderHeartbeatMillis() {
        return region.heartbeatMillis(ChannelRegion.Role.SENDER);
    }

    /** {@return the receiver's last sign of life (epoch ms), as {@link #senderHeartbeatMillis()}} */
    public long receiverHeartbeatMillis() {
        return region.heartbeatMillis(ChannelRegion.Role.RECEIVER);
    }

    void receiverDoorbell(Doorbell doorbell) {
        this.receiverDoorbell = doorbell;
    }

    /**
     * After a record was committed with a volatile store (or a release store by a fenceless sender): wakes the
     * receiver if it announced that it sleeps.
     */
    final void wakeIfSleeping(boolean fenceless) {
        int waiting = fenceless ? (int) RING_INT.getAcquire(region.memory, RECEIVER_WAITING_OFFSET)
                : region.header.getIntVolatile(RECEIVER_WAITING_OFFSET);
        if (waiting != 0) {
            region.header.getAndAddInt(WAKE_SEQUENCE_OFFSET, 1);
            wake();
        }
    }

    /** Whether the receiver's strategy may sleep until woken: if not, a commit needs no fence and no check. */
    final boolean receiverMaySleep() {
        return (int) RING_INT.getAcquire(region.memory, RECEIVER_PARKS_OFFSET) != 0;
    }

    private void wake() {
        try {
            Futex.wake(region.memory, WAKE_SEQUENCE_OFFSET, 1);
            int doorbell = region.header.getIntVolatile(DOORBELL_FD_OFFSET);
            if (doorbell != 0) {
                ringDoorbell(doorbell);
            }
        } catch (IOException e) {
            throw new IllegalStateException("waking the receiver of " + region.name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Rings the receiver's doorbell, first taking a copy of its eventfd with pidfd_getfd (Linux 5.6+; ptrace
     * access to the receiver, which a process of the same user has unless Yama's ptrace_scope says otherwise).
     */
    private synchronized void ringDoorbell(int fd) throws IOException {
        int pid = region.pid(ChannelRegion.Role.RECEIVER);
        long owner = (long) pid << 32 | fd;
        if (bell == null || bellOwner != owner) {
            if (bell != null) {
                bell.close();
                bell = null;
            }
            bell = EventFd.fromInherited(copyDescriptor(pid, fd));
            bellOwner = owner;
        }
        bell.signal(1);
        rings++;
    }

    private int copyDescriptor(int pid, int fd) throws IOException {
        int pidfd = Failures.check(ProcessCalls.pidfdOpen(pid), "pidfd_open", "pid " + pid);
        try {
            int copy = ProcessCalls.pidfdGetfd(pidfd, fd);
            if (copy < 0) {
                throw Failures.of("pidfd_getfd", "the doorbell of " + region.name + " (eventfd " + fd
                        + " of receiver pid " + pid + ")", -copy, ProcessCalls.pidfdGetfdAdvice(-copy));
            }
            return copy;
        } finally {
            FileCalls.closeQuietly(pidfd);
        }
    }

    /** {@return how often this process's senders rang the receiver's doorbell: once per sleep, not per message} */
    public synchronized long doorbellRings() {
        return rings;
    }

    /** Unmaps this process's view and closes its doorbell descriptors; the channel stays until {@link #unlink}. */
    @Override
    public void close() {
        Doorbell doorbell = receiverDoorbell;
        if (doorbell != null) {
            doorbell.close();
        }
        synchronized (this) {
            if (bell != null) {
                bell.close();
                bell = null;
            }
        }
        region.close();
    }

    @Override
    public String toString() {
        return kind + " channel " + region;
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
                RING_LONG.set(region.ring, (long) at + used, ((long) PADDING_TYPE << 32) | (aligned - used));
            }
            index = -1;
            return at;
        }
    }

    /** The message-length check of every send and claim. */
    final IllegalArgumentException tooLong(int length) {
        return new IllegalArgumentException("message length " + length + " is outside 0.." + region.maxLength
                + " (an eighth of the channel's capacity, minus 8)");
    }
}
