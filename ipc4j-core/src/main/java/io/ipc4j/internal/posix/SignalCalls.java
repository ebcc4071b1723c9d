package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Signal sending and the signalfd(2) receiving side. No sigaction here: a Java upcall installed as a signal
 * handler crashes HotSpot when the signal lands on a thread running Java code (FFM-NOTES 8e), so handlers go
 * through the JVM's own dispatcher instead (sun.misc.Signal, in the public signal package).
 */
public final class SignalCalls {
    /** {@code SI_QUEUE}: the si_code of sigqueue(3); the kernel accepts forged siginfo only with si_code &lt; 0. */
    public static final int SI_QUEUE = -1;
    /** {@code struct signalfd_siginfo}: the members up to ssi_ptr by name, the rest (to 128 bytes) as padding. */
    public static final StructLayout SIGNALFD_SIGINFO = MemoryLayout.structLayout(JAVA_INT.withName("ssi_signo"),
            JAVA_INT.withName("ssi_errno"), JAVA_INT.withName("ssi_code"), JAVA_INT.withName("ssi_pid"),
            JAVA_INT.withName("ssi_uid"), JAVA_INT.withName("ssi_fd"), JAVA_INT.withName("ssi_tid"),
            JAVA_INT.withName("ssi_band"), JAVA_INT.withName("ssi_overrun"), JAVA_INT.withName("ssi_trapno"),
            JAVA_INT.withName("ssi_status"), JAVA_INT.withName("ssi_int"), JAVA_LONG.withName("ssi_ptr"),
            MemoryLayout.paddingLayout(72));
    public static final long SIGNALFD_SIGINFO_BYTES = SIGNALFD_SIGINFO.byteSize();
    public static final long SSI_SIGNO = SIGNALFD_SIGINFO.byteOffset(groupElement("ssi_signo"));
    public static final long SSI_CODE = SIGNALFD_SIGINFO.byteOffset(groupElement("ssi_code"));
    public static final long SSI_PID = SIGNALFD_SIGINFO.byteOffset(groupElement("ssi_pid"));
    public static final long SSI_UID = SIGNALFD_SIGINFO.byteOffset(groupElement("ssi_uid"));
    public static final long SSI_INT = SIGNALFD_SIGINFO.byteOffset(groupElement("ssi_int"));

    private static final int SIG_BLOCK = 0;
    private static final int SFD_NONBLOCK = 04000;
    private static final int SIGKILL = 9;
    private static final int SFD_CLOEXEC = 02000000;
    private static final long SYS_GETTID = Platform.tables().sysGettid;
    private static final long SYS_RT_TGSIGQUEUEINFO = Platform.tables().sysRtTgsigqueueinfo;
    /** glibc's sigset_t is 1024 bits; the kernel reads the first 64. */
    private static final long SIGSET_BYTES = 128;
    /** {@code union sigval { int sival_int; void *sival_ptr; }}, passed by value to sigqueue(3). */
    private static final UnionLayout SIGVAL = MemoryLayout.unionLayout(JAVA_INT.withName("sival_int"),
            ADDRESS.withName("sival_ptr"));
    /** {@code siginfo_t} as sigqueue(3) fills it (SI_QUEUE: the sender's pid and uid, and a value), 128 bytes. */
    static final StructLayout SIGINFO = MemoryLayout.structLayout(JAVA_INT.withName("si_signo"),
            JAVA_INT.withName("si_errno"), JAVA_INT.withName("si_code"), MemoryLayout.paddingLayout(4),
            JAVA_INT.withName("si_pid"), JAVA_INT.withName("si_uid"), SIGVAL.withName("si_value"),
            MemoryLayout.paddingLayout(96));
    private static final long SI_SIGNO = SIGINFO.byteOffset(groupElement("si_signo"));
    private static final long SI_CODE = SIGINFO.byteOffset(groupElement("si_code"));
    private static final long SI_PID = SIGINFO.byteOffset(groupElement("si_pid"));
    private static final long SI_UID = SIGINFO.byteOffset(groupElement("si_uid"));
    private static final long SI_VALUE = SIGINFO.byteOffset(groupElement("si_value"));

    /** int sigqueue(pid_t pid, int sig, const union sigval value); */
    private static final MethodHandle SIGQUEUE = Libc.linkErrno("sigqueue",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, SIGVAL));
    /** int kill(pid_t pid, int sig); */
    private static final MethodHandle KILL = Libc.linkErrno("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int killpg(int pgrp, int sig); */
    private static final MethodHandle KILLPG = Libc.linkErrno("killpg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset); returns the error, not errno. */
    private static final MethodHandle PTHREAD_SIGMASK = Libc.link("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int signalfd(int fd, const sigset_t *mask, int flags); */
    private static final MethodHandle SIGNALFD = Libc.linkErrno("signalfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** long syscall(long number, ...); with four arguments. */
    private static final MethodHandle SYSCALL4 = Libc.linkErrnoVariadic("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    /** long syscall(long number); */
    private static final MethodHandle SYSCALL0 = Libc.link("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG),
            java.lang.foreign.Linker.Option.firstVariadicArg(1));
    /** uid_t getuid(void); */
    private static final MethodHandle GETUID = Libc.link("getuid", FunctionDescriptor.of(JAVA_INT));

    private SignalCalls() {
    }

    /** kill(2): 0, or -errno. */
    public static int kill(int pid, int signal) {
        return (int) Libc.once(slot -> (int) KILL.invokeExact(slot, pid, signal));
    }

    /** killpg(3): 0, or -errno. */
    public static int killpg(int group, int signal) {
        return (int) Libc.once(slot -> (int) KILLPG.invokeExact(slot, group, signal));
    }

    /** sigqueue(3), process-directed: 0, or -errno. */
    public static int sigqueue(int pid, int signal, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sigval = arena.allocate(SIGVAL);
            sigval.set(JAVA_INT, 0, value);
            return (int) Libc.once(slot -> (int) SIGQUEUE.invokeExact(slot, pid, signal, sigval));
        }
    }

    /**
     * rt_tgsigqueueinfo(2): a queued signal with an int payload to one thread of a process, as sigqueue(3)
     * would make it. 0, or -errno.
     */
    public static int queueToThread(int pid, int tid, int signal, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIGINFO);
            info.set(JAVA_INT, SI_SIGNO, signal);
            info.set(JAVA_INT, SI_CODE, SI_QUEUE);
            info.set(JAVA_INT, SI_PID, ProcessCalls.getpid());
            info.set(JAVA_INT, SI_UID, getuid());
            info.set(JAVA_INT, SI_VALUE, value); // sival_int, the union's first member
            return (int) Libc.once(slot -> (long) SYSCALL4.invokeExact(slot, SYS_RT_TGSIGQUEUEINFO, (long) pid,
                    (long) tid, (long) signal, info.address()));
        }
    }

    /** gettid(2): the kernel id of the calling thread (a platform thread keeps it for life). */
    public static int gettid() {
        try {
            return (int) (long) SYSCALL0.invokeExact(SYS_GETTID);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** getuid(2). */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * Whether a signalfd's read takes RWF_NOWAIT here (EAGAIN when nothing is pending), so that one in blocking
     * mode can still be read without waiting. Probes a signalfd for SIGKILL alone, which signalfd ignores: it
     * never has anything to read. Ask once and keep the answer.
     */
    public static boolean signalfdReadsTakeNoWait() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
            set.set(JAVA_LONG, 0, 1L << (SIGKILL - 1));
            int fd = (int) Libc.once(slot -> (int) SIGNALFD.invokeExact(slot, -1, set, SFD_CLOEXEC));
            return fd >= 0 && FileCalls.emptyReadTakesNoWait(fd, SIGNALFD_SIGINFO_BYTES);
        }
    }

    /**
     * Blocks {@code signals} in the calling thread only, then opens a close-on-exec signalfd for them, in
     * blocking mode if {@code blocking} (read it without waiting with RWF_NOWAIT, see
     * {@link #signalfdReadsTakeNoWait}), else non-blocking: the descriptor, or -errno (of pthread_sigmask or of
     * signalfd). The caller must be a platform thread that stays the only reader.
     */
    public static int blockAndOpenSignalfd(int[] signals, boolean blocking) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(SIGSET_BYTES, 8);
            long bits = 0;
            for (int s : signals) {
                bits |= 1L << (s - 1);
            }
            set.set(JAVA_LONG, 0, bits);
            int error;
            try {
                error = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, set, MemorySegment.NULL);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (error != 0) {
                return -error; // pthread_sigmask returns its error instead of setting errno
            }
            int flags = blocking ? SFD_CLOEXEC : SFD_NONBLOCK | SFD_CLOEXEC;
            return (int) Libc.once(slot -> (int) SIGNALFD.invokeExact(slot, -1, set, flags));
        }
    }
}
