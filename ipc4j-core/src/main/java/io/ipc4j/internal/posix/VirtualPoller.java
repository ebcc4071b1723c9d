package io.ipc4j.internal.posix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where virtual threads wait for a descriptor instead of blocking their carrier in poll(2), as the JDK does for
 * its own sockets: the waiter registers the descriptor one-shot with a shared epoll set and parks; one platform
 * thread per direction waits in epoll_wait and unparks it. Two sets (reading, writing), so that a descriptor is
 * in each at most once and a one-shot event never disarms the other direction's waiter.
 */
final class VirtualPoller implements Runnable {
    private static final int BATCH = 256;

    private final int epfd;
    private final int direction;
    private final ConcurrentHashMap<Integer, DescriptorWatch> watched = new ConcurrentHashMap<>();

    private VirtualPoller(int direction, String name) {
        this.direction = direction;
        int fd = EpollCalls.create();
        if (fd < 0) {
            throw new UncheckedIOException(Failures.of("epoll_create1", name, -fd));
        }
        this.epfd = fd;
        Thread.ofPlatform().daemon().name(name).start(this);
    }

    private static final Object STARTING = new Object();
    private static volatile VirtualPoller readers;
    private static volatile VirtualPoller writers;

    /** The poller for {@code events} (POLLIN or POLLOUT), started on first use. */
    static VirtualPoller of(int events) {
        boolean writing = (events & FileCalls.POLLOUT) != 0;
        VirtualPoller poller = writing ? writers : readers;
        if (poller != null) {
            return poller;
        }
        synchronized (STARTING) {
            if (writing) {
                return writers != null ? writers : (writers = new VirtualPoller(EpollCalls.EPOLLOUT, "ipc4j-write-poller"));
            }
            return readers != null ? readers
                    : (readers = new VirtualPoller(EpollCalls.EPOLLIN | EpollCalls.EPOLLRDHUP, "ipc4j-read-poller"));
        }
    }

    /** Arms {@code fd} one-shot: its watch fires once when the descriptor is ready. */
    void arm(int fd, DescriptorWatch watch, Object what) throws IOException {
        watched.put(fd, watch);
        int r = EpollCalls.modify(epfd, fd, direction | EpollCalls.EPOLLONESHOT, fd);
        if (r == -Errno.ENOENT) {
            r = EpollCalls.add(epfd, fd, direction | EpollCalls.EPOLLONESHOT, fd);
        }
        if (r < 0) {
            watched.remove(fd, watch);
            throw Failures.of("epoll_ctl", String.valueOf(what), -r);
        }
    }

    /** Takes {@code fd} out of both sets before it is closed, if either has it. */
    static void forget(int fd, DescriptorWatch watch) {
        forgetIn(readers, fd, watch);
        forgetIn(writers, fd, watch);
    }

    private static void forgetIn(VirtualPoller poller, int fd, DescriptorWatch watch) {
        if (poller != null && poller.watched.remove(fd, watch)) {
            EpollCalls.delete(poller.epfd, fd);
        }
    }

    @Override
    public void run() {
        MemorySegment events = EpollCalls.events(Arena.ofAuto(), BATCH);
        while (true) {
            int n = EpollCalls.await(epfd, events, -1);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                System.err.println("ipc4j: virtual-thread poller stopped: "
                        + Failures.of("epoll_wait", "virtual-thread poller", -n).getMessage());
                return;
            }
            for (int i = 0; i < n; i++) {
                DescriptorWatch watch = watched.get((int) EpollCalls.token(events, i));
                if (watch != null) {
                    watch.fire(EpollCalls.readyEvents(events, i));
                }
            }
        }
    }
}
