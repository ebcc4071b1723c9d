package io.ipc4j.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An io_uring that makes many non-blocking sends or receives with one io_uring_enter(2): where a system call
 * costs more than the transfer it makes (about 1 µs on a VM with page-table isolation), a server writing to
 * many clients, or a client reading from many connections, saves one call per socket.
 *
 * <p>Every transfer says MSG_DONTWAIT (a send MSG_NOSIGNAL too): the kernel makes it during the submitting
 * call, and one that would block completes at once with -EAGAIN (io_uring does not retry a transfer that asked
 * not to wait), so {@link #submit()} never waits for a peer. Buffers need to stay valid only until
 * {@code submit} returns.
 *
 * <p>Not thread-safe: one thread adds, submits and reads results. {@link #close()} waits for a submit in
 * progress.
 */
public final class TransferRing implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final int SEND_FLAGS = SocketCalls.MSG_DONTWAIT | SocketCalls.MSG_NOSIGNAL;
    private static final int RECEIVE_FLAGS = SocketCalls.MSG_DONTWAIT;
    private static final long SQE_BYTES = UringCalls.SQE.byteSize();
    private static final long CQE_BYTES = UringCalls.CQE.byteSize();
    /** Where the members this ring uses are, from the layouts PlatformTablesTest checks against the headers. */
    private static final long SQE_OPCODE = UringCalls.SQE.byteOffset(groupElement("opcode"));
    private static final long SQE_FD = UringCalls.SQE.byteOffset(groupElement("fd"));
    private static final long SQE_ADDR = UringCalls.SQE.byteOffset(groupElement("addr"));
    private static final long SQE_LEN = UringCalls.SQE.byteOffset(groupElement("len"));
    private static final long SQE_MSG_FLAGS = UringCalls.SQE.byteOffset(groupElement("msg_flags"));
    private static final long SQE_USER_DATA = UringCalls.SQE.byteOffset(groupElement("user_data"));
    private static final long CQE_USER_DATA = UringCalls.CQE.byteOffset(groupElement("user_data"));
    private static final long CQE_RES = UringCalls.CQE.byteOffset(groupElement("res"));
    private static final long SQ_ENTRIES = UringCalls.PARAMS.byteOffset(groupElement("sq_entries"));
    private static final long CQ_ENTRIES = UringCalls.PARAMS.byteOffset(groupElement("cq_entries"));
    private static final long SETUP_FLAGS = UringCalls.PARAMS.byteOffset(groupElement("flags"));
    private static final long FEATURES = UringCalls.PARAMS.byteOffset(groupElement("features"));

    private final FdHandle handle;
    private final Arena arena;
    private final MemorySegment sqRing;
    private final MemorySegment cqRing;
    private final MemorySegment sqes;
    private final int capacity;
    private final long sqTailAt;
    private final int sqMask;
    private final long sqArrayAt;
    private final long cqHeadAt;
    private final long cqTailAt;
    private final int cqMask;
    private final long cqesAt;
    /** Each entry's result, by its index: bytes sent, or -errno. */
    private final int[] results;
    private int sqTail;
    private int queued;

    private TransferRing(int fd, MemorySegment params, Arena arena, MemorySegment sqRing, MemorySegment cqRing,
                     MemorySegment sqes) {
        this.handle = new FdHandle(this, fd);
        this.arena = arena;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.capacity = params.get(JAVA_INT, SQ_ENTRIES);
        this.sqTailAt = sqOffset(params, "tail");
        this.sqMask = sqRing.get(JAVA_INT, sqOffset(params, "ring_mask"));
        this.sqArrayAt = sqOffset(params, "array");
        this.cqHeadAt = cqOffset(params, "head");
        this.cqTailAt = cqOffset(params, "tail");
        this.cqMask = cqRing.get(JAVA_INT, cqOffset(params, "ring_mask"));
        this.cqesAt = cqOffset(params, "cqes");
        this.results = new int[capacity];
        this.sqTail = (int) INT.getAcquire(sqRing, sqTailAt);
    }

    /**
     * A ring for at least {@code entries} transfers a submit.
     *
     * @throws IOException naming io_uring_setup or mmap and the errno, where the kernel has no io_uring or
     *                     refuses it (ENOSYS; EPERM with kernel.io_uring_disabled or a seccomp filter).
     */
    public static TransferRing open(int entries) throws IOException {
        Arena arena = Arena.ofShared();
        MemorySegment params = arena.allocate(UringCalls.PARAMS);
        int fd = -1;
        try {
            fd = setup(entries, params);
            long sqBytes = sqOffset(params, "array") + 4L * params.get(JAVA_INT, SQ_ENTRIES);
            long cqBytes = cqOffset(params, "cqes") + CQE_BYTES * params.get(JAVA_INT, CQ_ENTRIES);
            boolean single = (params.get(JAVA_INT, FEATURES) & UringCalls.IORING_FEAT_SINGLE_MMAP) != 0;
            MemorySegment sqRing = map(fd, single ? Math.max(sqBytes, cqBytes) : sqBytes,
                    UringCalls.IORING_OFF_SQ_RING, arena);
            MemorySegment cqRing = single ? sqRing : map(fd, cqBytes, UringCalls.IORING_OFF_CQ_RING, arena);
            MemorySegment sqes = map(fd, SQE_BYTES * params.get(JAVA_INT, SQ_ENTRIES), UringCalls.IORING_OFF_SQES,
                    arena);
            return new TransferRing(fd, params, arena, sqRing, cqRing, sqes);
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (fd >= 0) {
                FileCalls.close(fd);
            }
            throw e;
        }
    }

    /** io_uring_setup with the flags that help, and without those an older kernel refuses (EINVAL). */
    private static int setup(int entries, MemorySegment params) throws IOException {
        int[] flagChoices = {UringCalls.IORING_SETUP_SUBMIT_ALL | UringCalls.IORING_SETUP_COOP_TASKRUN, 0};
        int fd = -Errno.EINVAL;
        for (int flags : flagChoices) {
            params.fill((byte) 0);
            params.set(JAVA_INT, SETUP_FLAGS, flags);
            fd = UringCalls.setup(entries, params);
            if (fd != -Errno.EINVAL) {
                break;
            }
        }
        if (fd < 0) {
            throw Failures.of("io_uring_setup", entries + " entries", -fd);
        }
        return fd;
    }

    private static MemorySegment map(int fd, long bytes, long offset, Arena arena) throws IOException {
        MemorySegment address = MemoryCalls.mmapShared(fd, bytes, offset, true);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            throw Failures.of("mmap", "an io_uring's ring", errno);
        }
        return MemoryCalls.adoptMapping(address, bytes, arena);
    }

    private static long sqOffset(MemorySegment params, String member) {
        return params.get(JAVA_INT, UringCalls.SQ_OFF + UringCalls.SQRING_OFFSETS.byteOffset(groupElement(member)));
    }

    private static long cqOffset(MemorySegment params, String member) {
        return params.get(JAVA_INT, UringCalls.CQ_OFF + UringCalls.CQRING_OFFSETS.byteOffset(groupElement(member)));
    }

    /** The most transfers one submit makes. */
    public int capacity() {
        return capacity;
    }

    /**
     * Queues a send ({@code receive} false) of {@code length} bytes at {@code address} to socket {@code fd}, or
     * a receive of at most that many into them, whose result {@link #result} gives by the returned index after
     * the next {@link #submit()}. The caller keeps {@code fd} open (inside an operation on its handle) and the
     * memory valid until then.
     */
    public int add(boolean receive, int fd, long address, int length) {
        if (queued == capacity) {
            throw new IllegalStateException("the ring holds " + capacity + " transfers: submit them first");
        }
        int index = queued++;
        int slot = (sqTail + index) & sqMask;
        long at = slot * SQE_BYTES;
        for (long b = 0; b < SQE_BYTES; b += 8) {
            sqes.set(JAVA_LONG, at + b, 0L);
        }
        sqes.set(JAVA_BYTE, at + SQE_OPCODE, (byte) (receive ? UringCalls.IORING_OP_RECV : UringCalls.IORING_OP_SEND));
        sqes.set(JAVA_INT, at + SQE_FD, fd);
        sqes.set(JAVA_LONG, at + SQE_ADDR, address);
        sqes.set(JAVA_INT, at + SQE_LEN, length);
        sqes.set(JAVA_INT, at + SQE_MSG_FLAGS, receive ? RECEIVE_FLAGS : SEND_FLAGS);
        sqes.set(JAVA_LONG, at + SQE_USER_DATA, index);
        sqRing.set(JAVA_INT, sqArrayAt + 4L * slot, slot);
        return index;
    }

    /**
     * Makes every queued transfer and waits for their results (which do not wait for peers: see the class
     * documentation). Afterwards {@link #result} holds each one's outcome and the ring is empty.
     *
     * @throws IOException if io_uring_enter itself fails; then no queued transfer was made (the ring is empty).
     */
    public void submit() throws IOException {
        int count = queued;
        if (count == 0) {
            return;
        }
        int fd = handle.begin();
        try {
            int head = sqTail;
            INT.setRelease(sqRing, sqTailAt, head + count); // the entries are written before the kernel sees them
            int submitted = 0;
            int completed = 0;
            while (completed < count) {
                int r = UringCalls.enter(fd, count - submitted, count - completed, UringCalls.IORING_ENTER_GETEVENTS);
                if (r < 0 && r != -Errno.EINTR && submitted == 0) {
                    INT.setRelease(sqRing, sqTailAt, head); // nothing consumed: take the entries back
                    throw Failures.of("io_uring_enter", count + " transfers", -r);
                }
                submitted += Math.max(r, 0);
                completed += reap();
            }
            sqTail = head + count;
        } finally {
            queued = 0;
            handle.end();
        }
    }

    /** Moves what the completion queue holds into {@link #results}: how many. */
    private int reap() {
        int head = cqRing.get(JAVA_INT, cqHeadAt);
        int tail = (int) INT.getAcquire(cqRing, cqTailAt);
        for (int h = head; h != tail; h++) {
            long at = cqesAt + (h & cqMask) * CQE_BYTES;
            results[(int) cqRing.get(JAVA_LONG, at + CQE_USER_DATA)] = cqRing.get(JAVA_INT, at + CQE_RES);
        }
        INT.setRelease(cqRing, cqHeadAt, tail); // the slots may be reused once read
        return tail - head;
    }

    /**
     * The outcome of transfer {@code index} of the last submit: bytes sent or received (0 received: the peer's
     * end of stream), or -errno (-EAGAIN: no room, or nothing to receive).
     */
    public int result(int index) {
        return results[index];
    }

    /** Closes the ring; a submit in progress on another thread finishes first. */
    @Override
    public void close() {
        handle.close();
        arena.close();
    }
}
