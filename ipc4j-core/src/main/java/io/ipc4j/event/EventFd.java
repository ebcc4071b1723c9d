package io.ipc4j.event;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.EventCalls;
import io.ipc4j.internal.posix.Failures;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An eventfd (eventfd(2)): a 64-bit counter in the kernel. {@link #signal} adds to it and wakes a waiter;
 * {@link #await} takes it. The lightest way to wake another thread or process that waits in poll, epoll or
 * here: no payload, one 8-byte read and write.
 *
 * <pre>{@code
 * try (EventFd doorbell = EventFd.create(0, EventFd.Mode.COUNTER)) {
 *     Spawn.java("Worker").inherit(doorbell, 3).start();     // the child: EventFd.fromInherited(3)
 *     doorbell.signal(1);
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link Mode#COUNTER}: a take returns the whole count and resets it to 0 (signals coalesce).
 * {@link Mode#SEMAPHORE}: a take returns 1 and decrements the count, so each signal of n releases n takes.</li>
 * <li>Shared across processes by inheritance ({@link io.ipc4j.process.Spawn#inherit}) or descriptor passing;
 * every holder sees the same counter.</li>
 * <li>Waits have a monotonic deadline; close() from another thread ends them. {@link #await()}, without a
 * deadline, on a platform thread, is one read(2) that sleeps in the kernel, as a C program's blocking read (a
 * close or an interrupt still ends it); timed waits sleep in poll(2). A virtual thread waiting parks and leaves
 * its carrier free. An eventfd can join an {@link EventLoop}.</li>
 * <li>Thread-safe: takes are serialised, and so are signals; a signal and a take may run at once.</li>
 * </ul>
 */
public final class EventFd extends CounterDescriptor {
    /** The largest count an eventfd holds: a signal that would pass it waits for a take. */
    public static final long MAX_COUNT = 0xfffffffffffffffeL;

    /** How takes count. */
    public enum Mode {
        /** A take returns the whole count and resets it to 0. */
        COUNTER,
        /** A take returns 1 and decrements the count. */
        SEMAPHORE
    }

    /**
     * The largest signal that leaves the descriptor in blocking mode. Writes to an eventfd refuse RWF_NOWAIT, so in
     * blocking mode a write that would take the count past {@link #MAX_COUNT} sleeps in write(2) until a take,
     * whatever its timeout: a larger signal first makes the descriptor non-blocking for good, so only a count
     * already beyond MAX_COUNT - 2^32 (2^32 signals of this size, not taken) could make a signal wait so.
     */
    static final long LARGEST_BLOCKING_SIGNAL = 1L << 32;

    private final Mode mode;
    private final ReentrantLock signalLock = new ReentrantLock();
    private final MemorySegment signalBuffer = Arena.ofAuto().allocate(JAVA_LONG);

    private EventFd(int fd, Mode mode, String what, boolean blockingMode) {
        super(fd, what, blockingMode);
        this.mode = mode;
    }

    /**
     * A new eventfd holding {@code initial} (0 to 2^32 - 1, as eventfd(2) takes it).
     *
     * @param initial the first expiry, from now
     * @param mode the permission bits, such as {@code 0600}
     * @return a new eventfd holding {@code initial}
     * @throws IllegalArgumentException if {@code initial} is out of that range.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static EventFd create(long initial, Mode mode) throws IOException {
        if (initial < 0 || initial > 0xffffffffL) {
            throw new IllegalArgumentException("an eventfd starts at 0 to 4294967295, not " + initial);
        }
        int flags = (mode == Mode.SEMAPHORE ? EventCalls.EFD_SEMAPHORE : 0)
                | (READS_TAKE_NO_WAIT ? 0 : EventCalls.EFD_NONBLOCK);
        int fd = EventCalls.eventfd((int) initial, flags);
        if (fd < 0) {
            throw Failures.of("eventfd", "new eventfd", -fd);
        }
        return new EventFd(fd, mode, "eventfd fd " + fd + " (" + mode.name().toLowerCase(java.util.Locale.ROOT) + ")",
                READS_TAKE_NO_WAIT);
    }

    /**
     * Adopts an eventfd this process inherited ({@code fromInherited(3)} in a child started with
     * {@code Spawn.inherit(eventFd, 3)}); its mode is read from the kernel. Makes it close-on-exec, and
     * non-blocking unless it is in blocking mode (as {@link #create} makes it), which the process that passed it
     * may rely on: the two share it.
     *
     * @param fd the descriptor number
     * @return the {@code EventFd}
     * @throws IOException if {@code fd} is not open.
     * @throws IllegalArgumentException if it is not an eventfd.
     */
    public static EventFd fromInherited(int fd) throws IOException {
        boolean blocking = adopt(fd, "eventfd", READS_TAKE_NO_WAIT);
        Mode mode = "1".equals(fdinfo(fd, "eventfd-semaphore:")) ? Mode.SEMAPHORE : Mode.COUNTER;
        return new EventFd(fd, mode, "inherited eventfd fd " + fd + " (" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + ")", blocking);
    }

    /**
     * Adds {@code n} to the count and wakes waiters. Waits (at most {@code timeout}) only in the rare case that
     * the count would pass {@link #MAX_COUNT}; on a descriptor in blocking mode (what {@link #create} makes where
     * reads take RWF_NOWAIT, so that {@link #await()} can sleep in read(2)), a signal of at most 2^32 waits then
     * in write(2) until a take, past its timeout, which takes a count beyond MAX_COUNT - 2^32 (a larger signal
     * makes the descriptor non-blocking for good first).
     *
     * @param n how many
     * @param timeout the longest this call waits
     * @throws IllegalArgumentException if {@code n} is not 1 to {@link #MAX_COUNT}.
     * @throws IpcTimeoutException if there was no room in time.
     */
    public void signal(long n, Duration timeout) throws IOException {
        signal(n, Deadline.after(timeout));
    }

    /**
     * {@link #signal(long, Duration)}, waiting as long as it takes for room.
     *
     * @param n how many
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void signal(long n) throws IOException {
        signal(n, Deadline.FOREVER);
    }

    private void signal(long n, Deadline deadline) throws IOException {
        if (n < 1 || Long.compareUnsigned(n, MAX_COUNT) > 0) {
            throw new IllegalArgumentException("an eventfd is signalled with 1 to " + Long.toUnsignedString(MAX_COUNT)
                    + ", not " + Long.toUnsignedString(n));
        }
        signalLock.lock();
        int fd = handle.begin();
        try {
            signalBuffer.set(JAVA_LONG, 0, n);
            if (Long.compareUnsigned(n, LARGEST_BLOCKING_SIGNAL) > 0 && handle.blockingMode()) {
                // writes to an eventfd refuse RWF_NOWAIT: see LARGEST_BLOCKING_SIGNAL
                Failures.check(handle.leaveBlockingMode(), "fcntl(F_SETFL)", what);
            }
            long written = FileCalls.write(fd, signalBuffer, Long.BYTES);
            while (written == -Errno.EAGAIN) {
                if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                    throw new IpcTimeoutException("write(" + what + "): the count is at its maximum", deadline.timeout(), 0);
                }
                written = FileCalls.write(fd, signalBuffer, Long.BYTES);
            }
            Failures.check(written, "write", what);
        } finally {
            handle.end();
            signalLock.unlock();
        }
    }

    /**
     * Takes the count, waiting as long as it takes for it to be above 0: as {@link #await(Duration)}. On a
     * platform thread, one read(2) that sleeps in the kernel, as C's blocking read does; a close or an interrupt
     * from another thread still ends it.
     *
     * @return the whole count in {@link Mode#COUNTER} mode, 1 in {@link Mode#SEMAPHORE} mode
     * @throws java.nio.channels.AsynchronousCloseException if another thread closed this meanwhile.
     * @throws java.io.InterruptedIOException if the thread was interrupted meanwhile.
     */
    public long await() throws IOException {
        return take();
    }

    /**
     * Takes the count, waiting at most {@code timeout} for it to be above 0: the whole count in
     * {@link Mode#COUNTER} mode (it is then 0), 1 in {@link Mode#SEMAPHORE} mode.
     *
     * @param timeout the longest this call waits
     * @return the whole count in {@link Mode#COUNTER} mode
     * @throws IpcTimeoutException if the count stayed 0.
     * @throws java.nio.channels.AsynchronousCloseException if another thread closed this meanwhile.
     */
    public long await(Duration timeout) throws IOException {
        return take(timeout);
    }

    /**
     * Takes the count if it is above 0 (as {@link #await}), else returns 0. Never waits.
     *
     * @return the count taken, or 0
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public long tryTake() throws IOException {
        return takeNow();
    }

    /** {@return whether it counts (COUNTER) or hands out 1 per take (SEMAPHORE)} */
    public Mode mode() {
        return mode;
    }
}
