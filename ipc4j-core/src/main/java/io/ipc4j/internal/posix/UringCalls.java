package io.ipc4j.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings for io_uring (Linux 5.1+; the send operation 5.6+): io_uring_setup(2), io_uring_enter(2) and the
 * layouts of its rings. They return the C result or {@code -errno}; {@link TransferRing} is their one user.
 */
public final class UringCalls {
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_ENTER_GETEVENTS = 1;
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    /** {@code struct io_sqring_offsets}. */
    static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("resv2"));
    /** {@code struct io_cqring_offsets}. */
    static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("resv2"));
    /** {@code struct io_uring_params}. */
    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"), JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"), MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"), CQRING_OFFSETS.withName("cq_off"));
    /** {@code struct io_uring_sqe}, the members a send sets (the rest of its 64 bytes stays zero). */
    public static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"), JAVA_INT.withName("len"),
            JAVA_INT.withName("msg_flags"), JAVA_LONG.withName("user_data"), JAVA_SHORT.withName("buf_index"),
            JAVA_SHORT.withName("personality"), JAVA_INT.withName("splice_fd_in"), JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("__pad2"));
    /** {@code struct io_uring_cqe}, without the big-CQE tail this ring does not ask for. */
    public static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));

    static final long SQ_OFF = PARAMS.byteOffset(groupElement("sq_off"));
    static final long CQ_OFF = PARAMS.byteOffset(groupElement("cq_off"));

    private static final long SYS_IO_URING_SETUP = Platform.tables().sysIoUringSetup;
    private static final long SYS_IO_URING_ENTER = Platform.tables().sysIoUringEnter;

    /** long syscall(SYS_io_uring_setup, unsigned entries, struct io_uring_params *params); */
    private static final MethodHandle SETUP = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), 1);
    /** long syscall(SYS_io_uring_enter, fd, to_submit, min_complete, flags, const sigset_t *sig, size_t sz); */
    private static final MethodHandle ENTER = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG), 1);

    private UringCalls() {
    }

    /** io_uring_setup(2): the ring's descriptor (close-on-exec, as every io_uring is), or -errno. */
    public static int setup(int entries, MemorySegment params) {
        return (int) Libc.once(slot -> (long) SETUP.invokeExact(slot, SYS_IO_URING_SETUP, (long) entries, params));
    }

    /**
     * io_uring_enter(2): submits {@code toSubmit} entries and, with {@link #IORING_ENTER_GETEVENTS}, waits until
     * {@code minComplete} completions are there: how many entries it consumed, or -errno (EINTR not retried: the
     * caller counts what was submitted and completed first).
     */
    public static int enter(int fd, int toSubmit, int minComplete, int flags) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            long r = (long) ENTER.invokeExact(slot, SYS_IO_URING_ENTER, (long) fd, (long) toSubmit,
                    (long) minComplete, (long) flags, 0L, 0L);
            return r >= 0 ? (int) r : -Libc.errno(slot);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
