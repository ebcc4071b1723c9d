package io.ipc4j.signal;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SignalCalls;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * Sending signals: to a process, to a process group, with a queued value, and the liveness check.
 *
 * <p>Every method is thread-safe and returns at once: a signal is delivered asynchronously. A process
 * that does not exist is an answer ({@code false}), not an exception; lacking permission
 * ({@link java.nio.file.AccessDeniedException}, EPERM) is an exception, because the process does exist.
 */
public final class Signals {
    private Signals() {
    }

    /**
     * kill(2): sends {@code signal} to process {@code pid}.
     *
     * @param pid the process id
     * @param signal the signal
     * @return false if there is no such process (ESRCH).
     * @throws IOException (EPERM as AccessDeniedException) if this process may not signal it.
     */
    public static boolean send(long pid, Signal signal) throws IOException {
        requirePid(pid);
        return Failures.signalled(SignalCalls.kill((int) pid, signal.number()), "kill", "pid " + pid + ", " + signal);
    }

    /**
     * killpg(3): sends {@code signal} to every process of group {@code groupId}.
     *
     * @param groupId the group id
     * @param signal the signal
     * @return false if the group has no process left.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean sendToGroup(long groupId, Signal signal) throws IOException {
        requirePid(groupId);
        return Failures.signalled(SignalCalls.killpg((int) groupId, signal.number()), "killpg",
                "process group " + groupId + ", " + signal);
    }

    /**
     * Whether process {@code pid} exists, by sending it the null signal. A process owned by another user
     * exists (EPERM means it is there). A zombie (ended, not yet reaped) still exists here; and a pid can be
     * reused, so hold a pidfd (see {@link io.ipc4j.socket.PeerProcess}) where identity matters.
     *
     * @param pid the process id
     * @return whether process {@code pid} exists, by sending it the null signal
     */
    public static boolean isAlive(long pid) {
        requirePid(pid);
        int r = SignalCalls.kill((int) pid, 0);
        return r == 0 || r == -Errno.EPERM;
    }

    /**
     * Sends {@code signal} with the int {@code value}, as sigqueue(3) does: real-time signals queue in order
     * and none is lost (up to the receiver's RLIMIT_SIGPENDING), standard ones coalesce.
     *
     * <p>If process {@code pid} has an open {@link SignalReceiver} for {@code signal}, the signal goes to the
     * receiver's thread (rt_tgsigqueueinfo) and arrives there with its value. Otherwise it goes to the process
     * (sigqueue), which is right for a C program with a handler. Beware that a JVM with no receiver or handler
     * for a real-time signal is terminated by it, as any process would be.
     *
     * @param pid the process id
     * @param signal the signal
     * @param value the value
     * @return false if there is no such process.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean queue(long pid, Signal signal, int value) throws IOException {
        Target target = target(pid, signal);
        if (target.thread.isPresent()) {
            int r = target.toThread(value);
            if (r != -Errno.ESRCH) { // ESRCH: the receiver closed meanwhile, so fall back to the process
                return target.answerThread(r, value);
            }
        }
        return target.toProcess(value);
    }

    /**
     * A destination for many queued signals: the receiver's thread is looked up once, here, instead of at
     * each {@link #queue} (which reads /proc). If that receiver closes, its sends return false.
     *
     * @param pid the process id
     * @param signal the signal
     * @return a destination for many queued signals: the receiver's thread is looked up once, here, instead of at each {@link #queue}
     */
    public static Target target(long pid, Signal signal) {
        requirePid(pid);
        return new Target((int) pid, signal, SignalReceiver.threadOf(pid, signal));
    }

    /** See {@link #target}. Thread-safe. */
    public static final class Target {
        private final int pid;
        private final Signal signal;
        private final OptionalInt thread;

        private Target(int pid, Signal signal, OptionalInt thread) {
            this.pid = pid;
            this.signal = signal;
            this.thread = thread;
        }

        /**
         * Sends {@code signal} with {@code value}: false if the process (or its receiver thread) is gone.
         *
         * @param value the value
         * @return true if it was sent, false if the process (or its receiver thread) is gone
         * @throws IOException if the call fails: the message names the call, the object and the errno
         */
        public boolean queue(int value) throws IOException {
            return thread.isPresent() ? answerThread(toThread(value), value) : toProcess(value);
        }

        private int toThread(int value) {
            return SignalCalls.queueToThread(pid, thread.getAsInt(), signal.number(), value);
        }

        private boolean answerThread(int result, int value) throws IOException {
            return Failures.signalled(result, "rt_tgsigqueueinfo", "pid " + pid + " thread " + thread.getAsInt()
                    + ", " + signal + ", value " + value);
        }

        private boolean toProcess(int value) throws IOException {
            return Failures.signalled(SignalCalls.sigqueue(pid, signal.number(), value), "sigqueue",
                    "pid " + pid + ", " + signal + ", value " + value);
        }

        /**
         * Whether the signals go to an ipc4j {@link SignalReceiver} (thread-directed).
         *
         * @return whether the signals go to an ipc4j {@link SignalReceiver}
         */
        public boolean toReceiver() {
            return thread.isPresent();
        }
    }

    private static void requirePid(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a process id: " + pid
                    + " (0 and negative ids address process groups in kill(2): use sendToGroup)");
        }
    }

}
