package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Blocking system calls made directly by platform threads, as the JDK's own blocking channels make them: one
 * read(2) or recv(2) that sleeps in the kernel, where the general wait makes a non-blocking attempt, sleeps in
 * poll(2) and attempts again. Measured in C on a 2-vCPU EPYC VM (each side pinned, 20,000 round trips), a Unix
 * stream socket's 64 KiB round trip took 40-43 µs blocking and 76-79 µs the poll way, a 64-byte one 51-53 against
 * 56-61 µs; the wake-up from poll(2) costs more than the syscalls it adds. Unix stream sockets are the exception
 * (measured again on 2026-12-03 with both waits in one program: 64 KiB 46-47 µs blocking, 40-42 with poll): their
 * sleeping read is also woken by the peer's consuming what they sent, so their reads wait in poll, made as a
 * direct call here ({@link FdHandle#awaitReadyDirectly}).
 *
 * <p>What a call blocked in the kernel still owes its caller is that {@link FdHandle#close()} from another thread
 * and {@link Thread#interrupt()} end it. Such a thread is sent the JDK's own I/O interrupt signal
 * (SIGRTMAX - 2, whose do-nothing handler {@code sun.nio.ch.NativeThread} installs without SA_RESTART), so that
 * its call returns EINTR and it sees why: the JDK's channels release their blocked threads the same way. A close
 * signals the threads blocked on its handle at once and again until they have left (a signal that lands just
 * before the call would otherwise be lost); a watcher thread, started with the first direct call, signals every
 * 200 ms the threads still blocked on a closing handle and those interrupted meanwhile.
 *
 * <p>Available only when that handler is verified in place (otherwise the signal's default action would end the
 * process); callers then wait the general way. {@link FdHandle#mayBlockDirectly} says when a call may use it.
 */
final class DirectBlocking {
    /** How often the watcher looks for interrupted threads and threads blocked on a closing handle. */
    static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(FdHandle.WAIT_SLICE_MILLIS);
    private static final int SA_RESTART = 0x10000000;
    /** glibc's struct sigaction: the handler, a 128-byte sigset_t, then int sa_flags. */
    private static final long SA_FLAGS_OFFSET = 8 + 128;
    private static final long SIGACTION_BYTES = 152;
    private static final long CLOSE_ROUNDS = 50;
    private static final long CLOSE_ROUND_NANOS = 100_000;

    /** pthread_t pthread_self(void); */
    private static final MethodHandle PTHREAD_SELF = Libc.link("pthread_self", FunctionDescriptor.of(JAVA_LONG));
    /** int pthread_kill(pthread_t thread, int sig); returns the error, not errno. */
    private static final MethodHandle PTHREAD_KILL = Libc.link("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));

    /** The signal, or 0 when direct calls are unavailable. */
    static final int SIGNAL = interruptSignal();

    private static final CopyOnWriteArrayList<Blocker> BLOCKERS = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<Blocker> CURRENT = ThreadLocal.withInitial(DirectBlocking::register);

    private DirectBlocking() {
    }

    /** Whether direct calls can be made in this process at all. */
    static boolean available() {
        return SIGNAL != 0;
    }

    /** A platform thread's record: which handle it is blocked on, if any, for those who must release it. */
    static final class Blocker {
        final Thread thread;
        final long pthread;
        volatile FdHandle blockedOn;
        /** Signals in progress: the thread does not leave its call (and may not end) while one is sent. */
        final AtomicInteger signalling = new AtomicInteger();

        Blocker(Thread thread, long pthread) {
            this.thread = thread;
            this.pthread = pthread;
        }
    }

    /** Marks the calling thread blocked on {@code handle}, before its call; the caller then checks for a close. */
    static Blocker enter(FdHandle handle) {
        Blocker blocker = CURRENT.get();
        blocker.blockedOn = handle;
        return blocker;
    }

    /** After the call: no longer blocked, and not before any signal being sent to it has been sent. */
    static void leave(Blocker blocker) {
        blocker.blockedOn = null;
        while (blocker.signalling.get() != 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Releases the threads blocked on {@code handle}, which is closing: signals them, and again every 100 µs
     * while one is still there, for at most 5 ms (the watcher goes on after that).
     */
    static void release(FdHandle handle) {
        for (int round = 0; round < CLOSE_ROUNDS && signalAll(handle) > 0; round++) {
            LockSupport.parkNanos(CLOSE_ROUND_NANOS);
        }
    }

    /** Signals every thread blocked on {@code handle}; returns how many there were. */
    private static int signalAll(FdHandle handle) {
        int count = 0;
        for (Blocker blocker : BLOCKERS) {
            if (blocker.blockedOn == handle && signal(blocker, handle)) {
                count++;
            }
        }
        return count;
    }

    /** Signals {@code blocker}'s thread if it is still blocked on {@code handle}; true if it was. */
    private static boolean signal(Blocker blocker, FdHandle handle) {
        blocker.signalling.incrementAndGet();
        try {
            if (blocker.blockedOn != handle) {
                return false;
            }
            int error = (int) PTHREAD_KILL.invokeExact(blocker.pthread, SIGNAL);
            return error == 0;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        } finally {
            blocker.signalling.decrementAndGet();
        }
    }

    private static Blocker register() {
        Blocker blocker;
        try {
            blocker = new Blocker(Thread.currentThread(), (long) PTHREAD_SELF.invokeExact());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        BLOCKERS.add(blocker);
        Watcher.start();
        return blocker;
    }

    /** Every 200 ms: signals blocked threads that were interrupted or whose handle is closing; forgets dead ones. */
    private static final class Watcher {
        private static final Thread THREAD = Thread.ofPlatform().daemon().name("ipc4j-direct-wait-watcher")
                .unstarted(Watcher::run);

        static void start() {
            if (THREAD.getState() == Thread.State.NEW) {
                synchronized (Watcher.class) {
                    if (THREAD.getState() == Thread.State.NEW) {
                        THREAD.start();
                    }
                }
            }
        }

        private static void run() {
            while (true) {
                LockSupport.parkNanos(WATCH_NANOS);
                for (Blocker blocker : BLOCKERS) {
                    FdHandle handle = blocker.blockedOn;
                    if (handle != null && (handle.isClosing() || blocker.thread.isInterrupted())) {
                        signal(blocker, handle);
                    }
                }
                BLOCKERS.removeIf(blocker -> !blocker.thread.isAlive());
            }
        }
    }

    /**
     * SIGRTMAX - 2 once the JDK's do-nothing handler for it is installed (initialising sun.nio.ch.NativeThread
     * installs it) and verified: a handler, without SA_RESTART. 0 if not.
     */
    private static int interruptSignal() {
        if (Libc.LINKER == null) {
            return 0;
        }
        try {
            Class.forName("sun.nio.ch.NativeThread", true, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return 0; // checked below all the same: someone else may have installed it
        } catch (RuntimeException e) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle sigrtmax = Libc.link("__libc_current_sigrtmax", FunctionDescriptor.of(JAVA_INT));
            MethodHandle sigaction = Libc.link("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
                    ADDRESS));
            int signal = (int) sigrtmax.invokeExact() - 2;
            MemorySegment old = arena.allocate(SIGACTION_BYTES, 8);
            if ((int) sigaction.invokeExact(signal, MemorySegment.NULL, old) != 0) {
                return 0;
            }
            long handler = old.get(JAVA_LONG, 0);
            int flags = old.get(JAVA_INT, SA_FLAGS_OFFSET);
            boolean installed = handler != 0 && handler != 1; // neither SIG_DFL nor SIG_IGN
            return installed && (flags & SA_RESTART) == 0 ? signal : 0;
        } catch (Throwable t) {
            return 0;
        }
    }
}
