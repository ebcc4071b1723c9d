package io.ipc4j.event;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.EventCalls;
import io.ipc4j.internal.posix.Failures;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A timer as a descriptor (timerfd_create(2)): it becomes readable when it expires, so it can be waited on
 * with other descriptors (poll, epoll), and a read says how many times it expired since the last one.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #arm}: first expiry after a delay, then (optionally) at a fixed interval. Expirations that
 * nobody takes accumulate: {@link #await} returns how many, never loses one. {@link #disarm} stops it.</li>
 * <li>Shared across processes by inheritance or descriptor passing: every holder sees the same timer.</li>
 * <li>Waits have a monotonic deadline; close() from another thread ends them. A virtual thread waiting
 * parks and leaves its carrier free. A timer can join an {@link EventLoop}.</li>
 * <li>Thread-safe.</li>
 * </ul>
 */
public final class TimerFd extends CounterDescriptor {
    /** Which clock a timer follows. */
    public enum Clock {
        /** Steady, not counting suspend: for timeouts and intervals (the usual choice). */
        MONOTONIC(EventCalls.CLOCK_MONOTONIC),
        /** Steady, counting time the machine was suspended. */
        BOOTTIME(EventCalls.CLOCK_BOOTTIME),
        /** The wall clock (it can jump). */
        REALTIME(EventCalls.CLOCK_REALTIME);

        private final int id;

        Clock(int id) {
            this.id = id;
        }
    }

    private TimerFd(int fd, String what) {
        super(fd, what, false);
    }

    /**
     * A new, disarmed timer on {@code clock}.
     *
     * @param clock the clock: CLOCK_MONOTONIC, CLOCK_REALTIME or CLOCK_BOOTTIME
     * @return a new, disarmed timer on {@code clock}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static TimerFd create(Clock clock) throws IOException {
        int fd = EventCalls.timerfdCreate(clock.id);
        if (fd < 0) {
            throw Failures.of("timerfd_create", clock.name(), -fd);
        }
        return new TimerFd(fd, "timerfd fd " + fd + " (" + clock.name() + ")");
    }

    /**
     * Adopts a timerfd this process inherited ({@code fromInherited(3)} in a child started with
     * {@code Spawn.inherit(timer, 3)}). Makes it non-blocking and close-on-exec.
     *
     * @param fd the descriptor number
     * @return the {@code TimerFd}
     * @throws IllegalArgumentException if {@code fd} is not a timerfd.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static TimerFd fromInherited(int fd) throws IOException {
        adopt(fd, "timerfd", false);
        return new TimerFd(fd, "inherited timerfd fd " + fd);
    }

    /**
     * Arms the timer: first expiry {@code first} from now, then every {@code interval} (zero: once).
     *
     * @param first the first
     * @param interval the time between expiries, or zero for a single one
     * @throws IllegalArgumentException if {@code first} is not positive or {@code interval} is negative.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void arm(Duration first, Duration interval) throws IOException {
        if (first.isZero() || first.isNegative() || interval.isNegative()) {
            throw new IllegalArgumentException("a timer fires after a positive delay (not " + first + "), then"
                    + " every zero (once) or positive interval (not " + interval + ")");
        }
        set(first.toNanos(), interval.toNanos());
    }

    /**
     * Stops the timer; expirations not yet taken stay to be taken.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void disarm() throws IOException {
        set(0, 0);
    }

    private void set(long firstNanos, long intervalNanos) throws IOException {
        int fd = handle.begin();
        try {
            int r = EventCalls.timerfdSettime(fd, firstNanos, intervalNanos);
            if (r < 0) {
                throw Failures.of("timerfd_settime", what, -r);
            }
        } finally {
            handle.end();
        }
    }

    /**
     * Time to the next expiry, or empty if the timer is disarmed.
     *
     * @return the time to the next expiry, or empty if the timer is disarmed
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<Duration> untilNext() throws IOException {
        long[] now = get();
        return now[0] == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(now[0]));
    }

    /**
     * The interval (zero for a timer that fires once, or a disarmed one).
     *
     * @return the interval
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Duration interval() throws IOException {
        return Duration.ofNanos(get()[1]);
    }

    private long[] get() throws IOException {
        int fd = handle.begin();
        try {
            long[] r = EventCalls.timerfdGettime(fd);
            if (r[0] < 0) {
                throw Failures.of("timerfd_gettime", what, (int) -r[0]);
            }
            return r;
        } finally {
            handle.end();
        }
    }

    /**
     * Waits at most {@code timeout} for the timer to have expired, and returns how many times it did since the
     * last take (at least 1).
     *
     * @param timeout the longest this call waits
     * @return how many times it did since the last take (at least 1)
     * @throws IpcTimeoutException if it did not expire in time.
     */
    public long await(Duration timeout) throws IOException {
        return take(timeout);
    }

    /**
     * The expirations since the last take, or 0 if none. Never waits.
     *
     * @return the expirations since the last take, or 0 if none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public long tryTake() throws IOException {
        return takeNow();
    }
}
