package io.ipc4j.socket;

import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.internal.posix.SocketCalls;
import io.ipc4j.internal.proc.Sysctl;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteBuffer;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Receives a whole datagram or seqpacket message in one recvmsg(2), into a buffer shorter than the longest
 * message the socket could be sent, without losing a message that does not fit: the call's second iovec is a
 * spill area behind the caller's buffer, as long as the longest message an unprivileged sender can send, so a
 * message too long for the buffer arrives whole and is kept here for the next receive. Before, each receive
 * peeked at the length first (MSG_PEEK | MSG_TRUNC) and then received: two calls a message, which cost the
 * bench's Unix datagram, seqpacket and UDP rows 1.13-1.19x C at p50 (C makes one).
 *
 * <p>The spill area is reserved address space (MAP_NORESERVE), touched only by a message that overflows. A kept
 * message is this socket's, no longer the kernel's: a readiness wait (poll, an event loop) does not see it, which
 * {@link MessageTooLongException} says. Guarded by the socket's receive lock.
 */
final class SpillReceiver {
    private static final long NAME_BYTES = SocketCalls.SOCKADDR_STORAGE;
    private static final StructLayout BLOCK = MemoryLayout.structLayout(
            SocketCalls.MSGHDR.withName("header"),
            MemoryLayout.sequenceLayout(2, SocketCalls.IOVEC).withName("iov"),
            MemoryLayout.sequenceLayout(NAME_BYTES, JAVA_BYTE).withName("name"));
    private static final long IOV_AT = BLOCK.byteOffset(groupElement("iov"));
    private static final long NAME_AT = BLOCK.byteOffset(groupElement("name"));
    private static final long IOVEC_BYTES = SocketCalls.IOVEC.byteSize();
    /** The kernel's default net.core.wmem_max, for when /proc cannot be read. */
    private static final long DEFAULT_WMEM_MAX = 212_992;

    private final MemorySegment header;
    private final MemorySegment firstIov;
    private final MemorySegment ownName;
    private final MemorySegment spill;
    /** The name buffer of the current call: the caller's, or {@link #ownName} when the caller wants none. */
    private MemorySegment name;
    /** A message that did not fit the buffer it was received for, and its sender's address; null: none. */
    private byte[] kept;
    private byte[] keptSource;

    private SpillReceiver(MemorySegment block, MemorySegment spill) {
        this.header = block.asSlice(0, SocketCalls.MSGHDR.byteSize());
        this.firstIov = block.asSlice(IOV_AT, IOVEC_BYTES);
        this.ownName = block.asSlice(NAME_AT, NAME_BYTES);
        this.spill = spill;
        MemorySegment second = block.asSlice(IOV_AT + IOVEC_BYTES, IOVEC_BYTES);
        second.set(ADDRESS, SocketCalls.IOV_BASE, spill);
        second.set(JAVA_LONG, SocketCalls.IOV_LEN, spill.byteSize());
        header.set(ADDRESS, SocketCalls.MSG_IOV, block.asSlice(IOV_AT, 2 * IOVEC_BYTES));
        header.set(JAVA_LONG, SocketCalls.MSG_IOVLEN, 2);
    }

    /**
     * A receiver whose spill area holds {@code longest} bytes (a UDP socket's longest datagram), or, for
     * {@link Integer#MAX_VALUE} (a Unix socket, bounded only by its sender's SO_SNDBUF), the longest message an
     * unprivileged sender can send: twice net.core.wmem_max. Its header is allocated in {@code arena}.
     *
     * @throws IOException if the spill area cannot be reserved.
     */
    static SpillReceiver create(Arena arena, int longest, String socket) throws IOException {
        long bytes = longest != Integer.MAX_VALUE ? longest
                : 2 * Sysctl.readLong("/proc/sys/net/core/wmem_max").orElse(DEFAULT_WMEM_MAX);
        MemorySegment address = MemoryCalls.reserveUntouched(bytes);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            throw Failures.of("mmap", bytes + " bytes of address space behind the receive buffers of " + socket,
                    errno, "it keeps a message longer than the buffer and costs address space only (see ulimit -v"
                            + " and vm.max_map_count)" + (longest == Integer.MAX_VALUE ? ""
                            : "; a buffer of at least " + longest + " bytes needs none"));
        }
        return new SpillReceiver(arena.allocate(BLOCK), MemoryCalls.adoptMapping(address, bytes, Arena.ofAuto()));
    }

    /**
     * The msghdr for a receive into {@code target}'s first {@code room} bytes, the spill area behind them, and
     * the sender's address into {@code from} (NULL: into this receiver's own slot, so that a kept message still
     * has it). Make it again before each call: the kernel rewrites the name's length.
     */
    MemorySegment header(MemorySegment target, int room, MemorySegment from) {
        name = from.equals(MemorySegment.NULL) ? ownName : from;
        firstIov.set(ADDRESS, SocketCalls.IOV_BASE, target);
        firstIov.set(JAVA_LONG, SocketCalls.IOV_LEN, room);
        header.set(ADDRESS, SocketCalls.MSG_NAME, name);
        header.set(JAVA_INT, SocketCalls.MSG_NAMELEN, (int) NAME_BYTES);
        return header;
    }

    /** After a receive: the sender's address length into {@code fromLength} (NULL: not wanted). */
    void tellSource(MemorySegment fromLength) {
        if (!fromLength.equals(MemorySegment.NULL)) {
            fromLength.set(JAVA_INT, 0, header.get(JAVA_INT, SocketCalls.MSG_NAMELEN));
        }
    }

    /**
     * After a receive of a {@code length}-byte message into a {@code room}-byte buffer ({@code target}, then the
     * spill area): keeps it, with its sender's address, for the next receive with room enough.
     *
     * @throws MessageTooLongException always, saying the message is kept.
     * @throws IOException if even the spill area was too short: the rest of the message is lost (only a sender
     *                     with CAP_NET_ADMIN can send such a message to a Unix socket, with SO_SNDBUFFORCE).
     */
    void keep(MemorySegment target, int room, long length, String socket) throws IOException {
        long spilled = length - room;
        if (spilled > spill.byteSize()) {
            throw new IOException("receive(" + socket + "): a " + length + "-byte message arrived for a " + room
                    + "-byte buffer and was cut at " + (room + spill.byteSize()) + " bytes, longer than any"
                    + " unprivileged sender can send (2 x net.core.wmem_max): its end is lost; receive such"
                    + " messages into a buffer of at least " + length + " bytes");
        }
        byte[] message = new byte[Math.toIntExact(length)];
        MemorySegment.copy(target, JAVA_BYTE, 0, message, 0, room);
        MemorySegment.copy(spill, JAVA_BYTE, 0, message, room, (int) spilled);
        int nameLength = (int) Math.min(NAME_BYTES, header.get(JAVA_INT, SocketCalls.MSG_NAMELEN));
        keptSource = name.asSlice(0, nameLength).toArray(JAVA_BYTE);
        kept = message;
        throw new MessageTooLongException(socket, length, room);
    }

    /** Whether a message that did not fit an earlier buffer is kept here. */
    boolean holdsMessage() {
        return kept != null;
    }

    /**
     * The kept message into {@code dst}, and its sender's address into {@code from}/{@code fromLength} (NULL: not
     * wanted): its length.
     *
     * @throws MessageTooLongException if it does not fit {@code dst} either (it stays kept).
     */
    int takeKept(ByteBuffer dst, MemorySegment from, MemorySegment fromLength, String socket)
            throws MessageTooLongException {
        if (kept.length > dst.remaining()) {
            throw new MessageTooLongException(socket, kept.length, dst.remaining());
        }
        dst.put(kept);
        if (!fromLength.equals(MemorySegment.NULL)) {
            MemorySegment.copy(keptSource, 0, from, JAVA_BYTE, 0, keptSource.length);
            fromLength.set(JAVA_INT, 0, keptSource.length);
        }
        int length = kept.length;
        kept = null;
        keptSource = null;
        return length;
    }
}
