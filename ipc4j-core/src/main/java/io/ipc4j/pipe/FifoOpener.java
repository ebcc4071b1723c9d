package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Opening a FIFO with a timeout.
 *
 * <p>Design: open(2) of a FIFO blocks until a peer opens the other side, and nothing interrupts it. So the
 * caller makes the plain blocking open, and at the deadline a "waker" opens the other side itself,
 * non-blocking, which lets the blocked open return. The waker is then closed and the opened descriptor
 * checked for a real peer (poll: POLLERR on a writer means no reader, POLLHUP on a reader means no writer),
 * so a peer that arrived at the last moment is kept, not thrown away. Both opens go through an O_PATH anchor
 * (/proc/self/fd/N), so the waker reaches the same FIFO even if its path is removed meanwhile.
 */
final class FifoOpener {
    private static final long WAKER_RETRY_MILLIS = 10;
    private static final ScheduledThreadPoolExecutor WAKERS = newWakerPool();

    private FifoOpener() {
    }

    private static ScheduledThreadPoolExecutor newWakerPool() {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "ipc4j-fifo-open-waker");
            thread.setDaemon(true);
            return thread;
        });
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    /** Opens {@code path} for writing or reading; a non-blocking, close-on-exec descriptor. */
    static int open(Path path, boolean forWriting, Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        String what = path + (forWriting ? " for writing" : " for reading");
        int anchor = Failures.checkOpen(FileCalls.open(path.toString(), FileCalls.O_PATH | FileCalls.O_CLOEXEC, 0),
                FileCalls.O_PATH, path);
        try {
            String viaAnchor = "/proc/self/fd/" + anchor;
            int mode = (Integer) Files.getAttribute(Path.of(viaAnchor), "unix:mode");
            if ((mode & 0170000) != 0010000) {
                throw new NotAFifoException(path, Fifo.describeType(mode));
            }
            int flags = (forWriting ? FileCalls.O_WRONLY : FileCalls.O_RDONLY) | FileCalls.O_CLOEXEC;
            int fd = deadline.isForever()
                    ? Failures.checkOpen(FileCalls.open(viaAnchor, flags, 0), flags, what)
                    : openBefore(viaAnchor, flags, deadline, forWriting, what);
            int r = FileCalls.setNonBlocking(fd, true);
            if (r < 0) {
                FileCalls.closeQuietly(fd);
                throw Failures.of("fcntl(F_SETFL)", what, -r);
            }
            return fd;
        } finally {
            FileCalls.closeQuietly(anchor);
        }
    }

    private static int openBefore(String viaAnchor, int flags, Deadline deadline, boolean forWriting, String what)
            throws IOException {
        int otherSide = (forWriting ? FileCalls.O_RDONLY : FileCalls.O_WRONLY) | FileCalls.O_NONBLOCK | FileCalls.O_CLOEXEC;
        Waker waker = new Waker(viaAnchor, otherSide);
        waker.schedule(Math.max(0, deadline.nanosLeft()));
        int fd = -1;
        int wakerFd = -1;
        try {
            fd = Failures.checkOpen(FileCalls.open(viaAnchor, flags, 0), flags, what);
        } finally {
            wakerFd = waker.disarm();
            if (fd < 0) {
                FileCalls.closeQuietly(wakerFd);
            }
        }
        if (wakerFd < 0) {
            return fd;
        }
        FileCalls.closeQuietly(wakerFd);
        if (peerPresent(fd, forWriting, what)) {
            return fd;
        }
        FileCalls.closeQuietly(fd);
        throw new IpcTimeoutException("open(" + what + "): no " + (forWriting ? "reader" : "writer")
                + " opened the other end", deadline.timeout(), 0);
    }

    /** After the waker is gone: does a real process hold the other end? */
    private static boolean peerPresent(int fd, boolean forWriting, String what) throws IOException {
        if (forWriting) {
            return (Failures.check(FileCalls.poll(fd, FileCalls.POLLOUT, 0), "poll", what) & FileCalls.POLLERR) == 0;
        }
        int ready = Failures.check(FileCalls.poll(fd, FileCalls.POLLIN, 0), "poll", what);
        return (ready & FileCalls.POLLIN) != 0 || (ready & FileCalls.POLLHUP) == 0;
    }

    /** Opens the other side at the deadline; retries until the blocked open has registered as a peer. */
    private static final class Waker implements Runnable {
        private final String path;
        private final int flags;
        private boolean disarmed;
        private int fd = -1;
        private ScheduledFuture<?> pending;

        Waker(String path, int flags) {
            this.path = path;
            this.flags = flags;
        }

        synchronized void schedule(long delayNanos) {
            pending = WAKERS.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public synchronized void run() {
            if (disarmed) {
                return;
            }
            int opened = FileCalls.open(path, flags, 0);
            if (opened >= 0) {
                fd = opened;
            } else {
                // ENXIO: the caller has not reached its open(2) yet, so there is no reader to meet.
                pending = WAKERS.schedule(this, WAKER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** Stops the waker; returns the descriptor it opened, or -1. */
        synchronized int disarm() {
            disarmed = true;
            pending.cancel(false);
            return fd;
        }
    }
}
