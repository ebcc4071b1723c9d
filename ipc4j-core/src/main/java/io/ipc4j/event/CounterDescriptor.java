package io.ipc4j.event;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.EventCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What an eventfd and a timerfd have in common: a descriptor that reads as one 8-byte count, waited on with
 * poll(2) in slices so that close() from another thread ends a wait. A descriptor its owner keeps in blocking
 * mode (an eventfd, whose reads take RWF_NOWAIT) also takes, without a deadline on a platform thread, in one
 * read(2) that sleeps in the kernel. Takes are serialised with one another (one reusable buffer, no allocation
 * per call).
 */
abstract sealed class CounterDescriptor implements NativeDescriptor permits EventFd, TimerFd {
    static {
        Handles.register(CounterDescriptor.class, counter -> counter.handle);
    }

    final FdHandle handle;
    final String what;
    private final ReentrantLock takeLock = new ReentrantLock();
    private final MemorySegment takeBuffer = Arena.ofAuto().allocate(JAVA_LONG);

    /**
     * @param blockingMode whether {@code fd} is in blocking mode, its reads taking RWF_NOWAIT (see
     *                     {@link FdHandle#FdHandle(Object, int, boolean)}).
     */
    CounterDescriptor(int fd, String what, boolean blockingMode) {
        this.handle = new FdHandle(this, fd, blockingMode);
        this.what = what;
    }

    /** Whether an empty eventfd's read with RWF_NOWAIT says EAGAIN here, so that it can stay in blocking mode. */
    static final boolean READS_TAKE_NO_WAIT = probeNoWait();

    private static boolean probeNoWait() {
        int fd = EventCalls.eventfd(0, 0);
        return fd >= 0 && FileCalls.emptyReadTakesNoWait(fd, Long.BYTES);
    }

    /**
     * Checks that an inherited {@code fd} is the anonymous inode {@code kind}, then makes it ours: close-on-exec,
     * and non-blocking unless {@code mayStayBlocking} and it is in blocking mode, which the process that passed
     * it (a C peer, say) may rely on: its description is shared.
     *
     * @return whether it stays in blocking mode.
     */
    static boolean adopt(int fd, String kind, boolean mayStayBlocking) throws IOException {
        String target = EventCalls.anonInode(fd);
        if (target == null) {
            throw Failures.of("readlink(/proc/self/fd/" + fd + ")", "inherited " + kind + " fd " + fd, Errno.EBADF,
                    "no such descriptor: did the parent pass it (Spawn.inherit)?");
        }
        if (!target.equals("anon_inode:[" + kind + "]")) {
            throw new IllegalArgumentException("descriptor " + fd + " is " + target + ", not " + kind);
        }
        Failures.check(FileCalls.fcntl(fd, FileCalls.F_SETFD, FileCalls.FD_CLOEXEC), "fcntl(F_SETFD)", kind);
        int flags = Failures.check(FileCalls.fcntl(fd, FileCalls.F_GETFL, 0), "fcntl(F_GETFL)", kind);
        if (mayStayBlocking && (flags & FileCalls.O_NONBLOCK) == 0) {
            return true;
        }
        Failures.check(FileCalls.setNonBlocking(fd, true), "fcntl(F_SETFL)", kind);
        return false;
    }

    /** A line of /proc/self/fdinfo/FD, after its key, or "" if it has none. */
    static String fdinfo(int fd, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith(key)) {
                    return line.substring(key.length()).strip();
                }
            }
        } catch (IOException e) {
            // closed meanwhile: the caller decides
        }
        return "";
    }

    /**
     * Takes the count, waiting at most {@code timeout}.
     *
     * @throws IpcTimeoutException if nothing came in time.
     * @throws java.nio.channels.AsynchronousCloseException if another thread closed this meanwhile.
     */
    final long take(Duration timeout) throws IOException {
        return take(Deadline.after(timeout));
    }

    /** The count if there is one now, else 0. Never waits. */
    final long takeNow() throws IOException {
        return take(Deadline.NOW);
    }

    /** Takes the count, waiting as long as it takes. */
    final long take() throws IOException {
        return take(Deadline.FOREVER);
    }

    private long take(Deadline deadline) throws IOException {
        takeLock.lock();
        handle.begin();
        try {
            boolean direct = handle.mayBlockDirectly(deadline);
            while (true) {
                long n = handle.transfer(false, direct, takeBuffer, Long.BYTES, this);
                if (n == Long.BYTES) {
                    return takeBuffer.get(JAVA_LONG, 0);
                }
                if (n < 0 && n != -Errno.EAGAIN) {
                    throw Failures.of("read", String.valueOf(what), (int) -n);
                }
                if (n >= 0) {
                    throw new IOException("read(" + what + ") returned " + n + " bytes, not 8");
                }
                direct = false; // EAGAIN from a direct call: made non-blocking by another holder
                if (deadline.isNow()) {
                    return 0;
                }
                if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("read(" + what + ")", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
            takeLock.unlock();
        }
    }

    @Override
    public final int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public final boolean isOpen() {
        return handle.isOpen();
    }

    /**
     * Closes this process's descriptor; a thread waiting in it gets AsynchronousCloseException (within 200 ms
     * from a poll(2) slice, at once from a direct read).
     */
    @Override
    public final void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return what;
    }
}
