package io.ipc4j.internal.posix;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Who watches one descriptor: the event loops it is registered with ({@link CloseListener}s) and the
 * virtual threads parked until it is ready ({@link Waiter}s). Closing tells the first and wakes the second.
 * Kept apart from the owning handle so that the Cleaner's release action may reference it.
 */
final class DescriptorWatch {
    private final List<CloseListener> listeners = new ArrayList<>(1);
    private final List<Waiter> waiters = new ArrayList<>(2);
    /** Read by parked waiters without the lock: set before they are unparked, so a waiter that wakes sees it. */
    private volatile boolean closing;

    /** Whether a close has begun (the handle may not say so yet: it is marked closed after the wake-up). */
    boolean isClosing() {
        return closing;
    }

    /** A virtual thread parked until the descriptor is ready for {@code wanted}. */
    static final class Waiter {
        final Thread thread = Thread.currentThread();
        final int wanted;
        volatile int fired;

        Waiter(int wanted) {
            this.wanted = wanted;
        }
    }

    /** Adds a listener; false if the descriptor is closing (the caller reports the object closed). */
    synchronized boolean listen(CloseListener listener) {
        if (closing) {
            return false;
        }
        listeners.add(listener);
        return true;
    }

    synchronized void unlisten(CloseListener listener) {
        listeners.remove(listener);
    }

    /** Adds a waiter for {@code events}; null if the descriptor is closing. */
    synchronized Waiter await(int events) {
        if (closing) {
            return null;
        }
        Waiter waiter = new Waiter(events);
        waiters.add(waiter);
        return waiter;
    }

    synchronized void leave(Waiter waiter) {
        waiters.remove(waiter);
    }

    /** The poller saw {@code events}: wakes every waiter they satisfy (errors and hang-ups satisfy all). */
    void fire(int events) {
        int satisfies = (events & (EpollCalls.EPOLLERR | EpollCalls.EPOLLHUP)) != 0 ? -1 : events;
        List<Waiter> woken = new ArrayList<>(2);
        synchronized (this) {
            for (int i = waiters.size() - 1; i >= 0; i--) {
                Waiter waiter = waiters.get(i);
                if ((waiter.wanted & satisfies) != 0) {
                    waiter.fired = events;
                    woken.add(waiters.remove(i));
                }
            }
        }
        woken.forEach(waiter -> LockSupport.unpark(waiter.thread));
    }

    /**
     * The descriptor is closing and still valid: tells every listener and wakes every waiter (who then find
     * the handle closed). Only the first call does anything.
     */
    void close(int fd) {
        List<CloseListener> told;
        List<Waiter> woken;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            told = List.copyOf(listeners);
            woken = List.copyOf(waiters);
            listeners.clear();
            waiters.clear();
        }
        told.forEach(listener -> listener.descriptorClosing(fd));
        woken.forEach(waiter -> LockSupport.unpark(waiter.thread));
    }
}
