package io.ipc4j.event;

import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.posix.CloseListener;
import io.ipc4j.internal.posix.EpollCalls;
import io.ipc4j.internal.posix.FdHandle;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;

/**
 * One object registered with one {@link EventLoop}: what it waits for, what it carries, and, after a select,
 * what it is ready for.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Valid from {@link EventLoop#register} until {@link #cancel()}, the object's close, or the loop's close,
 * whichever comes first; a closed object leaves every loop on its own (nothing to cancel, nothing leaks).</li>
 * <li>{@link #cancel()} and {@link #interest(Interest)} may be called from any thread, also while the loop
 * waits; after {@code cancel()} returns, no select reports the object again.</li>
 * <li>The ready flags are those of the last select that reported this registration, and are read on the loop's
 * thread.</li>
 * </ul>
 */
public final class Registration {
    private final EventLoop loop;
    private final NativeDescriptor object;
    private final FdHandle handle;
    private final Trigger trigger;
    private final Object attachment;
    private final EventLoop.Handler handler;
    final int slot;
    final long token;
    private final CloseListener onClose = this::objectClosing;
    private volatile Interest interest;
    private volatile boolean valid = true;
    /** Whether the object is in the kernel's set: not while its interest is {@link Interest#NONE}. */
    private boolean inKernelSet;
    int readyEvents;

    Registration(EventLoop loop, NativeDescriptor object, FdHandle handle, Interest interest, Trigger trigger,
                 Object attachment, EventLoop.Handler handler, int slot, long token) {
        this.loop = loop;
        this.object = object;
        this.handle = handle;
        this.interest = interest;
        this.trigger = trigger;
        this.attachment = attachment;
        this.handler = handler;
        this.slot = slot;
        this.token = token;
    }

    /**
     * Adds the object to the loop's epoll set; the object is told to take it out again before it closes. Under
     * this registration's lock, so that a loop closing meanwhile either finds the listener to remove or makes
     * this fail.
     */
    synchronized void add(int epfd) throws IOException {
        if (!valid) {
            throw new java.nio.channels.ClosedSelectorException();
        }
        if (handle == null) {
            addForeign(epfd);
            return;
        }
        int fd = handle.begin();
        try {
            handle.addCloseListener(onClose);
            int r = interest == Interest.NONE ? 0 : EpollCalls.add(epfd, fd, events(), token);
            if (r < 0) {
                handle.removeCloseListener(onClose);
                throw EventLoop.ctlFailure(r, object);
            }
            inKernelSet = interest != Interest.NONE;
        } finally {
            handle.end();
        }
    }

    private void addForeign(int epfd) throws IOException {
        int r = interest == Interest.NONE ? 0 : EpollCalls.add(epfd, object.fd(), events(), token);
        if (r < 0) {
            throw EventLoop.ctlFailure(r, object);
        }
        inKernelSet = interest != Interest.NONE;
    }

    private int events() {
        return eventsOf(interest);
    }

    private int eventsOf(Interest wanted) {
        return wanted.events | (trigger == Trigger.EDGE ? EpollCalls.EPOLLET : 0);
    }

    /**
     * The object registered.
     *
     * @return the object registered
     */
    public NativeDescriptor object() {
        return object;
    }

    /**
     * What was given at registration (null if nothing).
     *
     * @return what was given at registration
     */
    public Object attachment() {
        return attachment;
    }

    /**
     * The handler given at registration, or null.
     *
     * @return the handler given at registration, or null
     */
    public EventLoop.Handler handler() {
        return handler;
    }

    /** {@return what it waits for now} */
    public Interest interest() {
        return interest;
    }

    /** {@return level- or edge-triggered} */
    public Trigger trigger() {
        return trigger;
    }

    /** {@return the loop it is registered with} */
    public EventLoop loop() {
        return loop;
    }

    /**
     * False once cancelled, or once the object or the loop closed.
     *
     * @return whether false once cancelled, or once the object or the loop closed
     */
    public boolean isValid() {
        return valid;
    }

    /**
     * Ready to read (or hung up or failed, which a read reports).
     *
     * @return whether ready to read
     */
    public boolean isReadable() {
        return (readyEvents & (EpollCalls.EPOLLIN | EpollCalls.EPOLLRDHUP | EpollCalls.EPOLLHUP | EpollCalls.EPOLLERR)) != 0;
    }

    /**
     * Ready to write (or failed, which a write reports).
     *
     * @return whether ready to write
     */
    public boolean isWritable() {
        return (readyEvents & (EpollCalls.EPOLLOUT | EpollCalls.EPOLLERR)) != 0;
    }

    /**
     * The peer hung up (closed its end, or shut down writing).
     *
     * @return whether the peer hung up
     */
    public boolean isHangUp() {
        return (readyEvents & (EpollCalls.EPOLLHUP | EpollCalls.EPOLLRDHUP)) != 0;
    }

    /**
     * An error is pending on the object (the next call on it reports it).
     *
     * @return an error is pending on the object
     */
    public boolean isError() {
        return (readyEvents & EpollCalls.EPOLLERR) != 0;
    }

    /**
     * Changes what the object waits for.
     *
     * @param newInterest what to wait for from now on
     * @throws java.nio.channels.CancelledKeyException if this registration is no longer valid.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void interest(Interest newInterest) throws IOException {
        Objects.requireNonNull(newInterest, "interest");
        synchronized (this) {
            if (!valid) {
                throw new java.nio.channels.CancelledKeyException();
            }
            if (newInterest == interest) {
                return;
            }
            // inside an operation on the object: its number cannot be closed and reused meanwhile
            int fd = handle != null ? handle.begin() : object.fd();
            try {
                int r = loop.change(this, fd, inKernelSet, newInterest == Interest.NONE ? 0 : eventsOf(newInterest));
                if (r < 0) {
                    throw EventLoop.ctlFailure(r, object);
                }
            } finally {
                if (handle != null) {
                    handle.end();
                }
            }
            interest = newInterest;
            inKernelSet = newInterest != Interest.NONE;
        }
    }

    /** Takes the object out of the loop. Harmless twice, and after the object or the loop closed. */
    public void cancel() {
        if (!invalidate()) {
            return;
        }
        if (handle != null) {
            handle.removeCloseListener(onClose);
        }
        try {
            int fd = handle != null ? handle.begin() : object.fd();
            try {
                loop.delete(fd);
            } finally {
                if (handle != null) {
                    handle.end();
                }
            }
        } catch (ClosedChannelException e) {
            // the object closed meanwhile: its close listener took it out while the descriptor was valid
        }
        loop.released(this);
    }

    /** The loop closes: the epoll set goes with it, so only the object's listener is left to remove. */
    void loopClosing() {
        if (invalidate() && handle != null) {
            handle.removeCloseListener(onClose);
        }
    }

    private synchronized boolean invalidate() {
        boolean was = valid;
        valid = false;
        return was;
    }

    /** The object is closing, its descriptor still valid: out of the epoll set before the number goes. */
    private void objectClosing(int fd) {
        loop.delete(fd); // also when a cancel() raced ahead but found the descriptor closing
        if (invalidate()) {
            loop.released(this);
        }
    }

    @Override
    public String toString() {
        return "registration of " + object + " (" + interest + ", " + trigger + (valid ? "" : ", cancelled") + ")";
    }
}
