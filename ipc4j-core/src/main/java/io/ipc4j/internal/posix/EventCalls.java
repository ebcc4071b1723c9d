package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings for eventfd(2) and timerfd_create(2): they return the C result or {@code -errno}; the callers
 * in {@code io.ipc4j.event} turn failures into exceptions through {@link Failures}.
 */
public final class EventCalls {
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_CLOEXEC = 02000000;
    public static final int EFD_NONBLOCK = 04000;
    public static final int TFD_CLOEXEC = 02000000;
    public static final int TFD_NONBLOCK = 04000;
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_BOOTTIME = 7;

    /** int eventfd(unsigned int initval, int flags); */
    private static final MethodHandle EVENTFD = Libc.linkErrno("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int timerfd_create(int clockid, int flags); */
    private static final MethodHandle TIMERFD_CREATE = Libc.linkErrno("timerfd_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old); */
    private static final MethodHandle TIMERFD_SETTIME = Libc.linkErrno("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int timerfd_gettime(int fd, struct itimerspec *current); */
    private static final MethodHandle TIMERFD_GETTIME = Libc.linkErrno("timerfd_gettime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    private EventCalls() {
    }

    /**
     * eventfd(2), close-on-exec, with {@code extraFlags} (EFD_SEMAPHORE, EFD_NONBLOCK): fd or -errno.
     */
    public static int eventfd(int initial, int extraFlags) {
        return (int) Libc.once(slot -> (int) EVENTFD.invokeExact(slot, initial, extraFlags | EFD_CLOEXEC));
    }

    /** timerfd_create(2), non-blocking and close-on-exec: fd or -errno. */
    public static int timerfdCreate(int clock) {
        return (int) Libc.once(slot -> (int) TIMERFD_CREATE.invokeExact(slot, clock, TFD_NONBLOCK | TFD_CLOEXEC));
    }

    /**
     * timerfd_settime(2), relative: first expiry after {@code initialNanos} (0 disarms), then every
     * {@code intervalNanos} (0: once). 0 or -errno.
     */
    public static int timerfdSettime(int fd, long initialNanos, long intervalNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment spec = arena.allocate(JAVA_LONG, 4); // itimerspec: interval {sec, nsec}, value {sec, nsec}
            spec.setAtIndex(JAVA_LONG, 0, intervalNanos / 1_000_000_000L);
            spec.setAtIndex(JAVA_LONG, 1, intervalNanos % 1_000_000_000L);
            spec.setAtIndex(JAVA_LONG, 2, initialNanos / 1_000_000_000L);
            spec.setAtIndex(JAVA_LONG, 3, initialNanos % 1_000_000_000L);
            return (int) Libc.once(slot -> (int) TIMERFD_SETTIME.invokeExact(slot, fd, 0, spec, MemorySegment.NULL));
        }
    }

    /** timerfd_gettime(2): {nanos to the next expiry (0: disarmed), interval nanos}; {-errno, 0} on failure. */
    public static long[] timerfdGettime(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment spec = arena.allocate(JAVA_LONG, 4);
            int r = (int) Libc.once(slot -> (int) TIMERFD_GETTIME.invokeExact(slot, fd, spec));
            if (r < 0) {
                return new long[] {r, 0};
            }
            long interval = spec.getAtIndex(JAVA_LONG, 0) * 1_000_000_000L + spec.getAtIndex(JAVA_LONG, 1);
            long value = spec.getAtIndex(JAVA_LONG, 2) * 1_000_000_000L + spec.getAtIndex(JAVA_LONG, 3);
            return new long[] {value, interval};
        }
    }

    /** The anonymous-inode name behind {@code fd} ("anon_inode:[eventfd]"), or null if it is no such thing. */
    public static String anonInode(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
