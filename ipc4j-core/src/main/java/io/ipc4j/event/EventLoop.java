package io.ipc4j.event;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.EpollCalls;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One epoll(7) set over any ipc4j objects backed by a descriptor (pipe ends, FIFOs, POSIX queues, every
 * socket type and listening sockets, {@link EventFd}, {@link TimerFd}, a {@link io.ipc4j.process.ChildProcess}'s
 * exit, a {@link io.ipc4j.signal.SignalReceiver}, another loop), with timers and tasks, usable two ways:
 * <ul>
 * <li>as a selector: {@link #select(Duration)}, then go through {@link #ready()};</li>
 * <li>as a callback loop: register with a {@link Handler}, then {@link #run()} (or {@link #start(String)} a
 * thread for it) until {@link #close()}.</li>
 * </ul>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Threads: {@link #register}, {@link Registration#cancel()}, {@link Registration#interest},
 * {@link #wakeup()}, {@link #execute}, {@link #schedule} and {@link #close()} may be called from any thread,
 * also while the loop waits. {@link #select}, {@link #run()} and {@link #ready()} belong to one thread at a
 * time, the loop's thread; a second thread selecting at once gets {@link IllegalStateException}. Handlers,
 * tasks and timers run on the loop's thread, inside select or run.</li>
 * <li>Closing: an object closed while registered leaves the loop before its descriptor number is released
 * (epoll keys registrations on the open file, which a child or a dup may keep alive). Closing the loop wakes a
 * select in progress, which then returns 0, ends {@link #run()}, and releases every registration (the objects
 * stay open: they are the caller's). Using a closed loop throws {@link ClosedSelectorException}.</li>
 * <li>Wake-up: {@link #wakeup()} writes an eventfd, at most once per select however often it is called.</li>
 * <li>Timers have millisecond resolution (epoll_wait's timeout) and never run early.</li>
 * <li>No allocation per event: the event buffer and the ready list are reused; the ready list is valid until
 * the next select.</li>
 * <li>Objects not made by ipc4j (your own {@link NativeDescriptor}) can be registered too, but nothing tells
 * the loop when they close: cancel their registration first.</li>
 * </ul>
 */
public final class EventLoop implements NativeDescriptor {
    private static final long WAKE_TOKEN = -1L;
    private static final int DEFAULT_BATCH = 512;
    /** Timers further off than this (a century) are never due in practice; it keeps toNanos() from overflowing. */
    private static final Duration LONGEST_DELAY = Duration.ofDays(365 * 100);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Registration[].class);

    static {
        Handles.register(EventLoop.class, loop -> loop.epoll);
    }

    /** Called on the loop's thread with a ready registration. */
    @FunctionalInterface
    public interface Handler {
        /**
         * The object is ready (its ready set is in {@code registration}).
         *
         * @param registration the registration, with what is ready
         * @throws IOException to stop the loop's run (a failure handler may keep it going)
         */
        void ready(Registration registration) throws IOException;
    }

    /** Told of a handler, task or timer that threw; the loop goes on. */
    @FunctionalInterface
    public interface FailureHandler {
        /**
         * A handler, task or timer threw.
         *
         * @param source  the registration, task or timer that threw
         * @param failure what it threw
         */
        void failed(Object source, Exception failure);
    }

    private final FdHandle epoll;
    private final EventFd wake;
    private final MemorySegment events;
    private final ReentrantLock selecting = new ReentrantLock();
    private final Object registering = new Object();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Scheduled> timers = new PriorityQueue<>();
    private final ArrayList<Registration> ready = new ArrayList<>();
    private final List<Registration> readyView = Collections.unmodifiableList(ready);
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private volatile Registration[] slots = new Registration[64];
    private int usedSlots;
    /** True while run() hands the ready registrations to their handlers (the loop's thread only). */
    private boolean dispatching;
    private int generation;
    /** How long a select polls before it sleeps, after a select that found something ready; 0: never. */
    private volatile long busyPollNanos;
    /** Whether the last select found something ready (the loop's thread only). */
    private boolean busy;
    private volatile FailureHandler failures = (source, e) ->
            System.err.println("ipc4j event loop: " + source + " failed: " + e);

    private EventLoop(int epfd, EventFd wake, int batch) {
        this.epoll = new FdHandle(this, epfd);
        this.wake = wake;
        this.events = EpollCalls.events(Arena.ofAuto(), batch);
    }

    /**
     * A new loop (an epoll set and a wake-up eventfd: two descriptors).
     *
     * @return a new loop
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static EventLoop open() throws IOException {
        return open(DEFAULT_BATCH);
    }

    /**
     * A new loop that takes at most {@code batch} ready objects from the kernel per wait.
     *
     * @param batch the most events one wait collects
     * @return a new loop that takes at most {@code batch} ready objects from the kernel per wait
     * @throws io.ipc4j.ErrnoException EMFILE if the process has no descriptor left for the loop (nothing is
     *                                 left open then).
     */
    public static EventLoop open(int batch) throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        }
        int epfd = Failures.check(EpollCalls.create(), "epoll_create1", "event loop");
        EventFd wake;
        try {
            wake = EventFd.create(0, EventFd.Mode.COUNTER);
        } catch (IOException | RuntimeException e) {
            FileCalls.closeQuietly(epfd);
            throw e;
        }
        EventLoop loop = new EventLoop(epfd, wake, batch);
        int r = EpollCalls.add(epfd, wake.fd(), EpollCalls.EPOLLIN, WAKE_TOKEN);
        if (r < 0) {
            loop.close();
            throw Failures.of("epoll_ctl", "event loop wake-up eventfd", -r);
        }
        return loop;
    }

    /**
     * Where handler, task and timer failures go; by default one line on stderr.
     *
     * @param handler what to call
     */
    public void onFailure(FailureHandler handler) {
        this.failures = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Registers {@code object}, level-triggered, with no attachment; for the selector form.
     *
     * @param object the ipc4j object backed by a descriptor
     * @param interest what to wait for: reading, writing or both
     * @return the {@code Registration}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Registration register(NativeDescriptor object, Interest interest) throws IOException {
        return register(object, interest, Trigger.LEVEL, null, null);
    }

    /**
     * Registers {@code object} for the selector form, carrying {@code attachment}.
     *
     * @param object the ipc4j object backed by a descriptor
     * @param interest what to wait for: reading, writing or both
     * @param trigger level- or edge-triggered
     * @param attachment any object, returned with the registration's events
     * @return the {@code Registration}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Registration register(NativeDescriptor object, Interest interest, Trigger trigger, Object attachment)
            throws IOException {
        return register(object, interest, trigger, attachment, null);
    }

    /**
     * Registers {@code object} for the callback form: {@link #run()} calls {@code handler} when it is ready.
     *
     * @param object the ipc4j object backed by a descriptor
     * @param interest what to wait for: reading, writing or both
     * @param trigger level- or edge-triggered
     * @param handler what to call
     * @return the registration
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Registration register(NativeDescriptor object, Interest interest, Trigger trigger, Handler handler)
            throws IOException {
        return register(object, interest, trigger, null, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Registers {@code object} for {@code interest}.
     *
     * @param object the ipc4j object backed by a descriptor
     * @param interest what to wait for: reading, writing or both
     * @param trigger level- or edge-triggered
     * @param attachment any object, returned with the registration's events
     * @param handler what to call
     * @return the {@code Registration}
     * @throws ClosedChannelException if {@code object} is closed.
     * @throws IllegalStateException if it is already registered with this loop (change the interest of its
     *                               registration instead).
     * @throws ClosedSelectorException if this loop is closed.
     * @throws io.ipc4j.ErrnoException for what epoll_ctl refuses (ENOSPC: past fs.epoll.max_user_watches;
     *                                 EPERM: a regular file, which is always ready).
     */
    public Registration register(NativeDescriptor object, Interest interest, Trigger trigger, Object attachment,
                                 Handler handler) throws IOException {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(trigger, "trigger");
        if (object == this) {
            throw new IllegalArgumentException("a loop cannot wait on itself");
        }
        int epfd = beginOwn();
        try {
            if (!object.isOpen()) {
                throw new ClosedChannelException();
            }
            Registration registration = newRegistration(object, interest, trigger, attachment, handler);
            try {
                registration.add(epfd);
            } catch (IOException | RuntimeException e) {
                released(registration);
                throw e;
            }
            return registration;
        } finally {
            epoll.end();
        }
    }

    private Registration newRegistration(NativeDescriptor object, Interest interest, Trigger trigger,
                                         Object attachment, Handler handler) {
        synchronized (registering) {
            if (closed.get()) { // close() sets this before it collects the registrations under this lock
                throw new ClosedSelectorException();
            }
            Integer free = freeSlots.poll();
            int slot = free != null ? free : usedSlots++;
            Registration[] current = slots;
            if (slot >= current.length) {
                current = java.util.Arrays.copyOf(current, current.length * 2);
                slots = current;
            }
            long token = ((long) ++generation << 32) | slot;
            Registration registration = new Registration(this, object, Handles.of(object), interest, trigger,
                    attachment, handler, slot, token);
            SLOT.setRelease(current, slot, registration);
            return registration;
        }
    }

    /** A registration is over: its slot may be reused. */
    void released(Registration registration) {
        synchronized (registering) {
            Registration[] current = slots;
            if (SLOT.getAcquire(current, registration.slot) == registration) {
                SLOT.setRelease(current, registration.slot, null);
                freeSlots.push(registration.slot);
            }
        }
    }

    static IOException ctlFailure(int negativeErrno, NativeDescriptor object) {
        if (-negativeErrno == Errno.EEXIST) {
            throw new IllegalStateException(object + " is already registered with this loop: change the interest"
                    + " of its registration, or cancel it first");
        }
        return Failures.of("epoll_ctl", String.valueOf(object), -negativeErrno);
    }

    /**
     * Changes a registration's events in the kernel set: modifies it, takes it out (events 0) or puts it back
     * in. 0 or -errno.
     */
    int change(Registration registration, int fd, boolean inKernelSet, int events) {
        try {
            int epfd = beginOwn();
            try {
                if (events == 0) {
                    return inKernelSet ? EpollCalls.delete(epfd, fd) : 0;
                }
                return inKernelSet ? EpollCalls.modify(epfd, fd, events, registration.token)
                        : EpollCalls.add(epfd, fd, events, registration.token);
            } finally {
                epoll.end();
            }
        } catch (ClosedSelectorException e) {
            throw new java.nio.channels.CancelledKeyException();
        }
    }

    /** Takes {@code fd} out of the set, if the loop is still open. */
    void delete(int fd) {
        int epfd;
        try {
            epfd = epoll.begin();
        } catch (ClosedChannelException e) {
            return; // the set is gone, and every registration in it
        }
        try {
            EpollCalls.delete(epfd, fd);
        } finally {
            epoll.end();
        }
    }

    private int beginOwn() {
        try {
            return epoll.begin();
        } catch (ClosedChannelException e) {
            throw new ClosedSelectorException();
        }
    }

    /**
     * Waits at most {@code timeout} for registered objects to be ready, running due tasks and timers first
     * and after. Returns at once if a task is queued or a wake-up is pending.
     *
     * @param timeout the longest this call waits
     * @return how many registrations are ready (see {@link #ready()}); 0 at the timeout, on a wake-up, or
     * once the loop is closed.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int select(Duration timeout) throws IOException {
        return select(Deadline.after(timeout));
    }

    /**
     * As {@link #select(Duration)}, waiting as long as it takes.
     *
     * @return how many registrations are ready
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int select() throws IOException {
        return select(Deadline.FOREVER);
    }

    /**
     * As {@link #select(Duration)}, never waiting.
     *
     * @return how many registrations are ready
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int selectNow() throws IOException {
        return select(Deadline.NOW);
    }

    /**
     * The registrations the last select found ready, in the kernel's order; for the selecting thread.
     *
     * @return the registrations the last select found ready, in the kernel's order
     */
    public List<Registration> ready() {
        return readyView;
    }

    private int select(Deadline deadline) throws IOException {
        if (dispatching || selecting.isHeldByCurrentThread()) {
            throw new IllegalStateException("select from a handler, task or timer of this loop: they run inside"
                    + " select or run(); return, and the loop calls them again");
        }
        if (!selecting.tryLock()) {
            if (closed.get()) { // close() holds the lock while it releases the descriptors, closed set before
                throw new ClosedSelectorException();
            }
            throw new IllegalStateException("this loop is already selecting on another thread");
        }
        try {
            ready.clear();
            int epfd;
            try {
                epfd = epoll.begin();
            } catch (ClosedChannelException e) {
                if (closed.get()) {
                    throw new ClosedSelectorException();
                }
                throw e;
            }
            try {
                runTasksAndTimers();
                int n = await(epfd, deadline);
                if (n != -Errno.EINTR) { // EINTR: no events; the caller's loop waits again
                    collect(Failures.check(n, "epoll_wait", this));
                }
                busy = !ready.isEmpty(); // a wake-up alone is not work
                runTasksAndTimers();
            } finally {
                epoll.end();
            }
            return ready.size();
        } finally {
            selecting.unlock();
            if (closed.get()) {
                releaseIfIdle();
            }
        }
    }

    /**
     * epoll_wait until the deadline or the next timer; after a busy select, first without sleeping for up to
     * the busy-poll time, so that a peer that makes an object ready soon does not have to wake this thread
     * (see {@link #busyPoll}).
     */
    private int await(int epfd, Deadline deadline) {
        long wait = waitNanos(deadline);
        long spin = busyPollNanos;
        if (wait > 0 && spin > 0 && busy) {
            long end = System.nanoTime() + Math.min(spin, wait);
            do {
                int n = EpollCalls.await(epfd, events, 0);
                if (n != 0) {
                    return n;
                }
            } while (System.nanoTime() - end < 0 && tasks.isEmpty() && !closed.get());
            wait = waitNanos(deadline);
        }
        return EpollCalls.await(epfd, events, epollMillis(wait));
    }

    /** How long a select may wait: until the deadline or the next timer; 0 if a task is queued. */
    private long waitNanos(Deadline deadline) {
        if (deadline.isNow() || !tasks.isEmpty() || closed.get()) {
            return 0;
        }
        long nanos = deadline.nanosLeft();
        synchronized (timers) {
            Scheduled next = timers.peek();
            if (next != null) {
                nanos = Math.min(nanos, next.due - System.nanoTime());
            }
        }
        return Math.max(0, nanos);
    }

    /** epoll_wait's timeout for a wait of {@code nanos}: -1 for ever, else milliseconds rounded up. */
    private static int epollMillis(long nanos) {
        if (nanos == Long.MAX_VALUE) {
            return -1;
        }
        return nanos == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private void collect(int n) throws IOException {
        Registration[] current = slots;
        for (int i = 0; i < n; i++) {
            long token = EpollCalls.token(events, i);
            if (token == WAKE_TOKEN) {
                // drain, then clear: cleared first, a wakeup() in between would have its signal drained here
                // and find the flag set for good, and every later wakeup() would be skipped (a stress test saw
                // the loop sleep with tasks queued)
                drainWakeups();
                wakePending.set(false);
                continue;
            }
            int slot = (int) token;
            Registration registration = slot < current.length
                    ? (Registration) SLOT.getAcquire(current, slot) : null;
            if (registration != null && registration.token == token && registration.isValid()) {
                registration.readyEvents = EpollCalls.readyEvents(events, i);
                ready.add(registration);
            }
        }
    }

    private void drainWakeups() throws IOException {
        try {
            wake.takeNow();
        } catch (ClosedChannelException e) {
            // the loop is closing: the wake-up was close()'s
        }
    }

    /**
     * Runs the loop on this thread until {@link #close()}: each ready registration's handler, and the tasks
     * and timers. A handler that throws is reported to the {@link #onFailure failure handler} and its
     * registration cancelled (the object stays open); a registration without a handler is a mistake reported
     * the same way.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void run() throws IOException {
        while (!closed.get()) {
            select(Deadline.FOREVER);
            dispatching = true;
            try {
                for (int i = 0; i < ready.size(); i++) {
                    dispatch(ready.get(i));
                }
            } finally {
                dispatching = false;
            }
        }
    }

    private void dispatch(Registration registration) {
        if (!registration.isValid()) {
            return; // cancelled by an earlier handler of this round
        }
        Handler handler = registration.handler();
        try {
            if (handler == null) {
                throw new IllegalStateException("registered without a handler, but the loop is run()");
            }
            handler.ready(registration);
        } catch (IOException | RuntimeException e) {
            registration.cancel();
            failures.failed(registration, e);
        }
    }

    /**
     * Starts a platform thread that {@link #run() runs} this loop until it is closed.
     *
     * @param threadName the name of the loop's thread
     * @return the {@code Thread}
     */
    public Thread start(String threadName) {
        return Thread.ofPlatform().name(threadName).start(() -> {
            try {
                run();
            } catch (ClosedSelectorException e) {
                // closed before the thread got going
            } catch (IOException | RuntimeException e) {
                failures.failed(this, e);
            }
        });
    }

    /**
     * Busy polling: after a select that found something ready, the next select that would sleep first polls
     * the set without sleeping (epoll_wait with a zero timeout, again and again) for up to {@code time}, and
     * sleeps only if nothing became ready meanwhile. While a peer keeps this loop busy, it then finds it
     * awake, and does not pay for a cross-CPU wake-up (redis-benchmark's CPU per request fell 7% when
     * ipc4j-kv's loop polled). Polling ends at once when an object becomes ready, a task is queued, a timer is
     * due, the deadline passes, or the loop closes. The price is CPU: up to {@code time} of polling after each
     * busy select; an idle loop sleeps at once. Worth it only where this loop's thread has a CPU to itself
     * (polling where the peer needs that CPU slows both). Off (zero) unless set; any thread, taking effect at
     * the next select.
     *
     * @param time how long to poll before sleeping; zero turns busy polling off
     * @throws IllegalArgumentException if {@code time} is negative
     */
    public void busyPoll(Duration time) {
        if (time.isNegative()) {
            throw new IllegalArgumentException("busy-poll time must not be negative, not " + time);
        }
        busyPollNanos = time.compareTo(LONGEST_DELAY) > 0 ? LONGEST_DELAY.toNanos() : time.toNanos();
    }

    /** Wakes a select in progress, or the next one. Any thread; cheap to call often. */
    public void wakeup() {
        if (closed.get() || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            wake.signal(1);
        } catch (IOException e) {
            wakePending.set(false); // closed meanwhile
        }
    }

    /**
     * Runs {@code task} on the loop's thread, soon. Any thread.
     *
     * @param task what to run on the loop's thread
     */
    public void execute(Runnable task) {
        if (closed.get()) {
            throw new ClosedSelectorException();
        }
        tasks.add(Objects.requireNonNull(task, "task"));
        wakeup();
    }

    /**
     * Runs {@code task} once on the loop's thread, {@code delay} from now (not earlier). Any thread.
     *
     * @param delay how long after now
     * @param task what to run on the loop's thread
     * @return the {@code Scheduled}
     */
    public Scheduled schedule(Duration delay, Runnable task) {
        return schedule(delay, Duration.ZERO, task);
    }

    /**
     * Runs {@code task} on the loop's thread after {@code delay}, then every {@code period} (zero: once),
     * measured from each due time so that it does not drift; runs missed while the loop was busy are not
     * made up.
     *
     * @param delay how long after now
     * @param period the time between runs
     * @param task what to run on the loop's thread
     * @return the {@code Scheduled}
     */
    public Scheduled schedule(Duration delay, Duration period, Runnable task) {
        Objects.requireNonNull(delay, "delay");
        if (closed.get()) {
            throw new ClosedSelectorException();
        }
        if (period.isNegative()) {
            throw new IllegalArgumentException("negative period: " + period);
        }
        Scheduled scheduled = new Scheduled(this, dueAfter(delay), period.toNanos(),
                Objects.requireNonNull(task, "task"));
        boolean first;
        synchronized (timers) {
            timers.add(scheduled);
            first = timers.peek() == scheduled;
        }
        if (first) {
            wakeup();
        }
        return scheduled;
    }

    /** The {@link System#nanoTime()} at which a timer {@code delay} from now is due (a century at most). */
    private static long dueAfter(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        return System.nanoTime() + (delay.compareTo(LONGEST_DELAY) > 0 ? LONGEST_DELAY : delay).toNanos();
    }

    void cancel(Scheduled scheduled) {
        synchronized (timers) {
            timers.remove(scheduled);
        }
    }

    private void runTasksAndTimers() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            runSafely(task, task);
        }
        long now = System.nanoTime();
        while (true) {
            Scheduled due;
            synchronized (timers) {
                due = timers.peek();
                if (due == null || due.due - now > 0) {
                    return;
                }
                timers.poll();
                if (due.period > 0) {
                    due.due += due.period * Math.max(1, (now - due.due) / due.period + 1);
                    timers.add(due);
                }
            }
            runSafely(due, due.task);
        }
    }

    private void runSafely(Object source, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            failures.failed(source, e);
        }
    }

    /**
     * How many objects are registered now.
     *
     * @return how many objects are registered now
     */
    public int registrations() {
        synchronized (registering) {
            return usedSlots - freeSlots.size();
        }
    }

    /** The epoll set's descriptor: a loop can be registered with another loop. */
    @Override
    public int fd() throws ClosedChannelException {
        return epoll.fd();
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the loop: a select in progress returns 0, {@link #run()} returns, every registration becomes
     * invalid and the objects stay open. Pending tasks and timers are dropped. Any thread; harmless twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        wakePending.set(false);
        wakeupForClose();
        List<Registration> left = new ArrayList<>();
        synchronized (registering) {
            for (Registration registration : slots) {
                if (registration != null) {
                    left.add(registration);
                }
            }
            java.util.Arrays.fill(slots, null);
            freeSlots.clear();
            usedSlots = 0;
        }
        left.forEach(Registration::loopClosing);
        tasks.clear();
        synchronized (timers) {
            timers.clear();
        }
        releaseIfIdle();
    }

    /**
     * Closes the descriptors unless a select is in progress, whose thread then does it on its way out: the
     * wake-up eventfd must outlive the wait it wakes (closing it drops its pending event from the epoll set).
     */
    private void releaseIfIdle() {
        if (selecting.tryLock()) {
            try {
                epoll.close();
                wake.close();
            } finally {
                selecting.unlock();
            }
        }
    }

    private void wakeupForClose() {
        try {
            wake.signal(1);
        } catch (IOException e) {
            // already closed: nobody to wake
        }
    }

    @Override
    public String toString() {
        return "event loop (" + registrations() + " registered" + (closed.get() ? ", closed)" : ")");
    }
}
