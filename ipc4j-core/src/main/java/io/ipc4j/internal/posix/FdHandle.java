package io.ipc4j.internal.posix;

import io.ipc4j.internal.wait.Deadline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ownership of one file descriptor (see {@link ResourceGuard}: it is never released while an operation is
 * using it), waiting on it, and telling the event loops it is registered with before it closes.
 *
 * <p>Waiting: a platform thread waits in poll(2), in slices, so that it notices a close or an interrupt within
 * {@link #WAIT_SLICE_MILLIS}. A virtual thread never blocks its carrier: it registers the descriptor with a
 * shared poller ({@link VirtualPoller}) and parks; readiness, the deadline, an interrupt or {@link #close()}
 * unparks it at once.
 *
 * <p>A descriptor its owner keeps in blocking mode also takes calls that block in the kernel directly
 * ({@link #callBlocking}), for platform threads without a deadline: one syscall per call instead of an
 * attempt, a poll(2) and a second attempt; {@link #close()} and interrupts still end them (see
 * {@link DirectBlocking}).
 */
public final class FdHandle {
    static final int WAIT_SLICE_MILLIS = 200;

    private final int fd;
    private final ResourceGuard guard;
    private final DescriptorWatch watch = new DescriptorWatch();
    private volatile boolean blockingMode;
    /**
     * Whether any handle in this process has made a direct call: until then a close has no blocked thread to
     * look for (and does not load {@link DirectBlocking}). Set once; a counter per handle instead cost two locked
     * instructions per call.
     */
    private static volatile boolean directCallsMade;

    /**
     * A handle on a non-blocking descriptor.
     *
     * @param owner the public handle; when it becomes unreachable unclosed, the descriptor is closed.
     * @param fd    the descriptor, now owned by this object.
     */
    public FdHandle(Object owner, int fd) {
        this(owner, fd, false);
    }

    /**
     * @param owner        the public handle; when it becomes unreachable unclosed, the descriptor is closed.
     * @param fd           the descriptor, now owned by this object.
     * @param blockingMode whether the owner keeps it in blocking mode (O_NONBLOCK clear) and makes its
     *                     non-blocking attempts with a per-call flag (MSG_DONTWAIT, RWF_NOWAIT): then
     *                     {@link #mayBlockDirectly} can say yes.
     */
    public FdHandle(Object owner, int fd, boolean blockingMode) {
        this.fd = fd;
        this.guard = new ResourceGuard(owner, new CloseAction(fd, watch));
        this.blockingMode = blockingMode;
    }

    /** Whether the owner keeps the descriptor in blocking mode (see the constructor). */
    public boolean blockingMode() {
        return blockingMode;
    }

    /**
     * Clears O_NONBLOCK, for an owner that makes its non-blocking attempts with a per-call flag from now on
     * (MSG_DONTWAIT on a socket): {@link #mayBlockDirectly} can then say yes. If fcntl(2) fails, the descriptor
     * stays non-blocking and every wait stays in poll(2).
     */
    public void enterBlockingMode() {
        if (FileCalls.setNonBlocking(fd, false) == 0) {
            blockingMode = true;
        }
    }

    /**
     * Makes the descriptor non-blocking for good, for a descriptor that turned out not to take the per-call
     * flag (a pipe end reopened through /proc answers RWF_NOWAIT with EOPNOTSUPP, as a FIFO does).
     *
     * @return 0 or -errno of fcntl(2).
     */
    public int leaveBlockingMode() {
        blockingMode = false;
        return FileCalls.setNonBlocking(fd, true);
    }

    /** The descriptor number, for calls that do not block on it (such as fcntl). */
    public int fd() throws ClosedChannelException {
        if (!guard.isOpen()) {
            throw new ClosedChannelException();
        }
        return fd;
    }

    public boolean isOpen() {
        return guard.isOpen();
    }

    /** Starts an operation: the descriptor stays open until the matching {@link #end()}. */
    public int begin() throws ClosedChannelException {
        guard.begin();
        return fd;
    }

    /** Ends an operation started by {@link #begin()}. */
    public void end() {
        guard.end();
    }

    /**
     * Closes now, or when the last operation in flight ends. Before anything else, tells every
     * {@link CloseListener} (the descriptor is still valid then) and wakes every parked virtual thread.
     * Closing twice is harmless.
     */
    public void close() {
        watch.close(fd);
        if (directCallsMade) {
            DirectBlocking.release(this);
        }
        guard.close();
    }

    /** Whether the handle is closed or a close has started. */
    boolean isClosing() {
        return !isOpen() || watch.isClosing();
    }

    /**
     * Whether a call with {@code deadline} may block in the kernel directly ({@link #callBlocking}): the
     * descriptor is in blocking mode, there is no deadline, the thread is a platform thread not interrupted, and
     * {@link DirectBlocking} is available here.
     */
    public boolean mayBlockDirectly(Deadline deadline) {
        if (!blockingMode || !deadline.isForever() || !DirectBlocking.available()) {
            return false;
        }
        Thread thread = Thread.currentThread();
        return !thread.isVirtual() && !thread.isInterrupted();
    }

    /** A system call that may block, as {@link #callBlocking} makes it: the count or -errno, EINTR not retried. */
    @FunctionalInterface
    public interface BlockingCall {
        long call(int fd, MemorySegment buffer, long length);
    }

    /**
     * Makes {@code call}, inside an operation, blocking in the kernel until it completes; only where
     * {@link #mayBlockDirectly} said yes. A close from another thread or an interrupt ends it.
     *
     * @return the call's result: a count, or -errno other than EINTR (-EAGAIN if the descriptor was made
     *         non-blocking by someone else: then wait the general way).
     * @throws AsynchronousCloseException if the handle was closed meanwhile.
     * @throws InterruptedIOException     if the thread was interrupted meanwhile.
     */
    public long callBlocking(BlockingCall call, MemorySegment buffer, long length, Object what) throws IOException {
        if (!directCallsMade) {
            directCallsMade = true;
        }
        DirectBlocking.Blocker blocker = DirectBlocking.enter(this);
        try {
            while (true) {
                if (isClosing()) { // after enter: a close from now on signals this thread
                    throw new AsynchronousCloseException();
                }
                long n = call.call(fd, buffer, length);
                if (n != -Errno.EINTR) {
                    return n;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("interrupted while waiting on " + what);
                }
            }
        } finally {
            DirectBlocking.leave(blocker);
        }
    }

    /**
     * One read (or, {@code writing}, write) of up to {@code length} bytes, inside an operation: blocking in the
     * kernel where {@code direct} ({@link #mayBlockDirectly}), else never waiting, whatever the descriptor's mode
     * (RWF_NOWAIT in blocking mode). A descriptor in blocking mode that refuses RWF_NOWAIT (EOPNOTSUPP: a pipe end
     * reopened through /proc, a FIFO) leaves blocking mode for good at that call.
     *
     * @return the count (0 at end of stream for a read), or -errno (-EAGAIN: nothing, or no room, now).
     */
    public long transfer(boolean writing, boolean direct, MemorySegment buffer, long length, Object what)
            throws IOException {
        if (direct) {
            return callBlocking(writing ? FileCalls::writeInterruptibly : FileCalls::readInterruptibly, buffer,
                    length, what);
        }
        if (blockingMode) {
            long n = writing ? FileCalls.writeNoWait(fd, buffer, length) : FileCalls.readNoWait(fd, buffer, length);
            if (n != -Errno.EOPNOTSUPP) {
                return n;
            }
            Failures.check(leaveBlockingMode(), "fcntl(F_SETFL)", String.valueOf(what));
        }
        return writing ? FileCalls.write(fd, buffer, length) : FileCalls.read(fd, buffer, length);
    }

    /**
     * Tells {@code listener} before the descriptor closes. Call inside an operation ({@link #begin()}), so that
     * the descriptor cannot close meanwhile.
     *
     * @throws AsynchronousCloseException if a close has started.
     */
    public void addCloseListener(CloseListener listener) throws AsynchronousCloseException {
        if (!watch.listen(listener)) {
            throw new AsynchronousCloseException();
        }
    }

    /** Stops telling {@code listener}; harmless if it was not added. */
    public void removeCloseListener(CloseListener listener) {
        watch.unlisten(listener);
    }

    /**
     * Waits, inside an operation, until the descriptor is ready for {@code events} or the deadline passes.
     *
     * @return the ready events, or 0 once the deadline has passed (at once for {@link Deadline#NOW}).
     * @throws AsynchronousCloseException if another thread closed the handle meanwhile.
     */
    public short awaitReady(short events, Deadline deadline, Object what) throws IOException {
        return awaitUntil(events, deadline.encoded(), what, null);
    }

    /**
     * Waits, inside an operation, in one poll(2) without a timeout until the descriptor is ready for
     * {@code events}: only where {@link #mayBlockDirectly} said yes. A close from another thread or an interrupt
     * ends it, as they end {@link #callBlocking}. For a socket whose blocking receive the kernel also wakes on
     * events the caller does not wait for: poll's wait-queue entry wakes only for the events asked.
     *
     * @return the ready events.
     * @throws AsynchronousCloseException if the handle was closed meanwhile.
     * @throws InterruptedIOException     if the thread was interrupted meanwhile.
     */
    public short awaitReadyDirectly(short events, Object what) throws IOException {
        long ready = callBlocking(FdHandle::pollForever, MemorySegment.NULL, events, what);
        if (ready < 0) {
            throw Failures.of("poll", String.valueOf(what), (int) -ready);
        }
        return (short) ready;
    }

    /** poll(2) of one descriptor for the events in {@code events}, without a timeout, as a {@link BlockingCall}. */
    private static long pollForever(int fd, MemorySegment unused, long events) {
        return FileCalls.poll(fd, (short) events, -1);
    }

    /**
     * Something to check between wait slices, such as whether the object waited on still exists: after each
     * slice that ended with nothing ready, not before the first (a wait that is soon over pays nothing for it).
     */
    @FunctionalInterface
    public interface SliceCheck {
        void check() throws IOException;
    }

    /** As {@link #awaitReady(short, Deadline, Object)}, running {@code check} between slices (null: none). */
    public short awaitReady(short events, Deadline deadline, Object what, SliceCheck check) throws IOException {
        return awaitUntil(events, deadline.encoded(), what, check);
    }

    /** The wait, on a deadline {@link Deadline#encoded() encoded} so that the Deadline object does not escape. */
    private short awaitUntil(short events, long deadline, Object what, SliceCheck check) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            return parkUntilReady(events, deadline, what, check);
        }
        for (SliceCheck between = null; ; between = check) { // not before the first slice: it costs syscalls
            long remaining = nanosLeft(deadline, what, between);
            if (remaining <= 0) {
                return 0;
            }
            int slice = remaining == Long.MAX_VALUE ? WAIT_SLICE_MILLIS
                    : (int) Math.min(WAIT_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
            int ready = FileCalls.poll(fd, events, slice);
            if (ready > 0) {
                return (short) ready;
            }
            if (ready < 0 && ready != -Errno.EINTR) { // EINTR: the next turn recomputes what is left
                throw Failures.of("poll", String.valueOf(what), -ready);
            }
        }
    }

    /**
     * Between two waits: runs {@code check}, ends the wait if the handle is closing or the thread interrupted,
     * and returns the nanoseconds left ({@link Long#MAX_VALUE} for no deadline; 0 or less: it has passed).
     */
    private long nanosLeft(long deadline, Object what, SliceCheck check) throws IOException {
        if (check != null) {
            check.check();
        }
        if (!isOpen() || watch.isClosing()) { // closing: close() wakes waiters before it marks the handle
            throw new AsynchronousCloseException();
        }
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while waiting on " + what);
        }
        return Deadline.nanosLeft(deadline);
    }

    /** The virtual-thread form of {@link #awaitReady}: parks instead of blocking the carrier in poll(2). */
    private short parkUntilReady(short events, long deadline, Object what, SliceCheck check) throws IOException {
        if (deadline == Long.MIN_VALUE) { // Deadline.NOW
            return 0;
        }
        DescriptorWatch.Waiter waiter = watch.await(events);
        if (waiter == null) {
            throw new AsynchronousCloseException();
        }
        try {
            VirtualPoller.of(events).arm(fd, watch, what);
            for (SliceCheck between = null; waiter.fired == 0; between = check) {
                long remaining = nanosLeft(deadline, what, between);
                if (remaining <= 0) {
                    return 0;
                }
                long park = check == null ? remaining
                        : Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(WAIT_SLICE_MILLIS));
                if (park == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, park);
                }
            }
            return (short) waiter.fired;
        } finally {
            watch.leave(waiter);
        }
    }

    /** Releases the descriptor: listeners told (if close() did not), out of the pollers' sets, then closed. */
    private record CloseAction(int fd, DescriptorWatch watch) implements Runnable {
        @Override
        public void run() {
            watch.close(fd);
            VirtualPoller.forget(fd, watch);
            FileCalls.closeQuietly(fd);
        }
    }
}
