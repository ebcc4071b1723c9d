package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * epoll(7): epoll_create1, epoll_ctl and epoll_wait, with {@code struct epoll_event} laid out as the kernel
 * expects on this machine (packed, 12 bytes, on x86-64; 16 bytes elsewhere). A registration carries a 64-bit
 * token of the caller's choosing, returned with each event.
 */
public final class EpollCalls {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLONESHOT = 1 << 30;
    public static final int EPOLLET = 1 << 31;
    static final int EPOLL_CLOEXEC = 02000000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;

    /** struct epoll_event: __attribute__((packed)) on x86-64 only. */
    private static final StructLayout EVENT = Platform.tables().epollEvent;
    private static final VarHandle EVENTS = EVENT.varHandle(groupElement("events"));
    private static final VarHandle DATA = EVENT.varHandle(groupElement("data"));
    private static final long SIZE = EVENT.byteSize();

    /** int epoll_create1(int flags); */
    private static final MethodHandle CREATE = Libc.linkErrno("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); */
    private static final MethodHandle CTL = Libc.linkErrno("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
    private static final MethodHandle WAIT = Libc.linkErrno("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** One event for epoll_ctl per thread: registration allocates nothing. */
    private static final ThreadLocal<MemorySegment> CTL_EVENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(EVENT));

    private EpollCalls() {
    }

    /** epoll_create1(2): a new close-on-exec epoll set, or -errno. */
    public static int create() {
        return (int) Libc.once(slot -> (int) CREATE.invokeExact(slot, EPOLL_CLOEXEC));
    }

    /** EPOLL_CTL_ADD: 0 or -errno (EEXIST: already in the set). */
    public static int add(int epfd, int fd, int events, long token) {
        return ctl(epfd, EPOLL_CTL_ADD, fd, events, token);
    }

    /** EPOLL_CTL_MOD: 0 or -errno (ENOENT: not in the set). */
    public static int modify(int epfd, int fd, int events, long token) {
        return ctl(epfd, EPOLL_CTL_MOD, fd, events, token);
    }

    /** EPOLL_CTL_DEL: 0 or -errno. */
    public static int delete(int epfd, int fd) {
        return ctl(epfd, EPOLL_CTL_DEL, fd, 0, 0);
    }

    private static int ctl(int epfd, int op, int fd, int events, long token) {
        MemorySegment event = CTL_EVENT.get();
        EVENTS.set(event, 0L, events);
        DATA.set(event, 0L, token);
        return (int) Libc.once(slot -> (int) CTL.invokeExact(slot, epfd, op, fd, event));
    }

    /** Room for {@code count} events, for {@link #await}. */
    public static MemorySegment events(Arena arena, int count) {
        return arena.allocate(EVENT, count);
    }

    /**
     * epoll_wait(2): the number of events written to {@code events} (0 at the timeout), or -errno. A wait with
     * a timeout, so EINTR is returned, not retried. {@code timeoutMillis} &lt; 0 waits forever.
     */
    public static int await(int epfd, MemorySegment events, int timeoutMillis) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            int n = (int) WAIT.invokeExact(slot, epfd, events, (int) (events.byteSize() / SIZE), timeoutMillis);
            return n >= 0 ? n : -Libc.errno(slot);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The ready events of the {@code index}th event written by {@link #await}. */
    public static int readyEvents(MemorySegment events, int index) {
        return (int) EVENTS.get(events, index * SIZE);
    }

    /** The token of the {@code index}th event written by {@link #await}. */
    public static long token(MemorySegment events, int index) {
        return (long) DATA.get(events, index * SIZE);
    }
}
