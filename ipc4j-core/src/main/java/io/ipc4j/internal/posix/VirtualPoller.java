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
        try {
            this.epfd = Epoll.create(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().name(name).start(this);
    }

    private static final Object STARTING = new Object();
    private static volatile VirtualPoller readers;
    private static volatile VirtualPoller writers;

    /** The poller for {@code events} (POLLIN or POLLOUT), started on first use. */
    static VirtualPoller of(int events) {
        boolean writing = (events & Posix.POLLOUT) != 0;
        VirtualPoller poller = writing ? writers : readers;
        if (poller != null) {
            return poller;
        }
        synchronized (STARTING) {
            if (writing) {
                return writers != null ? writers : (writers = new VirtualPoller(Epoll.EPOLLOUT, "ipc4j-write-poller"));
            }
            return readers != null ? readers
                    : (readers = new VirtualPoller(Epoll.EPOLLIN | Epoll.EPOLLRDHUP, "ipc4j-read-poller"));
        }
    }

    /** Arms {@code fd} one-shot: its watch fires once when the descriptor is ready. */
    void arm(int fd, DescriptorWatch watch, Object what) throws IOException {
        watched.put(fd, watch);
        int r = Epoll.modify(epfd, fd, direction | Epoll.EPOLLONESHOT, fd);
        if (r == -Errno.ENOENT) {
            r = Epoll.add(epfd, fd, direction | Epoll.EPOLLONESHOT, fd);
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
            Epoll.delete(poller.epfd, fd);
        }
    }

    @Override
    public void run() {
        MemorySegment events = Epoll.events(Arena.ofAuto(), BATCH);
        while (true) {
            int n;
            try {
                n = Epoll.await(epfd, events, -1, "virtual-thread poller");
            } catch (IOException e) {
                System.err.println("ipc4j: virtual-thread poller stopped: " + e.getMessage());
                return;
            }
            for (int i = 0; i < n; i++) {
                DescriptorWatch watch = watched.get((int) Epoll.token(events, i));
                if (watch != null) {
                    watch.fire(Epoll.readyEvents(events, i));
                }
            }
        }
    }
}
