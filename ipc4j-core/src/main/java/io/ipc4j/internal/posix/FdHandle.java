package io.ipc4j.internal.posix;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * Ownership of one file descriptor (see {@link ResourceGuard}: it is never released while an operation is
 * using it), plus waiting on it with poll(2).
 *
 * <p>Waits are sliced: a thread blocked in {@link #awaitReady} notices a close, or an interrupt, within
 * {@link #WAIT_SLICE_MILLIS}.
 */
public final class FdHandle {
    /** No deadline: wait as long as it takes. */
    public static final long FOREVER = Long.MAX_VALUE;
    /** Do not wait at all. */
    public static final long NO_WAIT = Long.MIN_VALUE;
    static final int WAIT_SLICE_MILLIS = 200;

    private final int fd;
    private final ResourceGuard guard;

    /**
     * @param owner the public handle; when it becomes unreachable unclosed, the descriptor is closed.
     * @param fd    the descriptor, now owned by this object.
     */
    public FdHandle(Object owner, int fd) {
        this.fd = fd;
        this.guard = new ResourceGuard(owner, new CloseAction(fd));
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

    /** Closes now, or when the last operation in flight ends. Closing twice is harmless. */
    public void close() {
        guard.close();
    }

    /**
     * Waits, inside an operation, until the descriptor is ready for {@code events} or the deadline passes.
     *
     * @param deadline a {@link System#nanoTime()} deadline, or {@link #FOREVER}.
     * @return the ready events, or 0 at the deadline.
     * @throws AsynchronousCloseException if another thread closed the handle meanwhile.
     */
    public short awaitReady(short events, long deadline, Object what) throws IOException {
        return awaitReady(events, deadline, what, null);
    }

    /** Something to check between wait slices, such as whether the object waited on still exists. */
    @FunctionalInterface
    public interface SliceCheck {
        void check() throws IOException;
    }

    /** As {@link #awaitReady(short, long, Object)}, running {@code check} between slices (null: none). */
    public short awaitReady(short events, long deadline, Object what, SliceCheck check) throws IOException {
        while (true) {
            if (check != null) {
                check.check();
            }
            if (!isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (Thread.interrupted()) {
                throw new InterruptedIOException("interrupted while waiting on " + what);
            }
            int slice = WAIT_SLICE_MILLIS;
            if (deadline != FOREVER) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return 0;
                }
                slice = (int) Math.min(WAIT_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
            }
            short ready = Posix.poll(fd, events, slice, what);
            if (ready != 0) {
                return ready;
            }
        }
    }

    /** Timeouts beyond this (a century) wait forever; it also keeps toNanos() from overflowing. */
    private static final java.time.Duration LONGEST = java.time.Duration.ofDays(365 * 100);

    /** A deadline {@code timeout} from now; a timeout too long to count in nanoseconds is {@link #FOREVER}. */
    public static long deadline(java.time.Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + timeout);
        }
        return timeout.compareTo(LONGEST) > 0 ? FOREVER : deadline(timeout.toNanos());
    }

    /** A deadline {@code timeoutNanos} from now, saturating to {@link #FOREVER}. */
    public static long deadline(long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("negative timeout: " + timeoutNanos + " ns");
        }
        long now = System.nanoTime();
        long deadline = now + timeoutNanos;
        return deadline < now || deadline == NO_WAIT ? FOREVER : deadline;
    }

    private record CloseAction(int fd) implements Runnable {
        @Override
        public void run() {
            Posix.closeQuietly(fd);
        }
    }
}
