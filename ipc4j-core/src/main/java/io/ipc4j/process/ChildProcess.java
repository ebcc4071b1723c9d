package io.ipc4j.process;

import io.ipc4j.internal.posix.SignalCalls;
import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.PosixError;
import io.ipc4j.signal.Signal;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;

import io.ipc4j.NativeDescriptor;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child process started by {@link Spawn}.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Waiting: {@link #waitFor(Duration)} waits on a pidfd (Linux 5.3+), so it needs no polling loop and has
 * an exact timeout; it reaps the child. Thread-safe. A virtual thread waiting here parks and leaves its
 * carrier free; {@link #exitStatus()} never waits.</li>
 * <li>Event loops: the child is a {@link NativeDescriptor} (its pidfd), readable once the child has ended, so
 * an {@link io.ipc4j.event.EventLoop} can wait for its exit together with other objects. {@link #fd()} throws
 * {@link ClosedChannelException} on a kernel without pidfds.</li>
 * <li>{@link #close()} kills a child still running (SIGKILL) and reaps it, so a try-with-resources block never
 * leaves an orphan or a zombie behind. Call {@link #waitFor} first for a child that should end by
 * itself.</li>
 * </ul>
 */
public final class ChildProcess implements NativeDescriptor {
    static {
        Handles.register(ChildProcess.class, child -> child.pidfd);
    }

    private static final long FALLBACK_POLL_MILLIS = 5;

    private final int pid;
    private final List<String> command;
    /** The pidfd, or null on a kernel without pidfds. */
    private final FdHandle pidfd;
    private final Object waitLock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ExitStatus exitStatus;

    ChildProcess(int pid, List<String> command) {
        this.pid = pid;
        this.command = List.copyOf(command);
        int fd = openPidfd(pid);
        this.pidfd = fd < 0 ? null : new FdHandle(this, fd);
    }

    private static int openPidfd(int pid) {
        int fd = ProcessCalls.pidfdOpen(pid);
        if (fd == -Errno.ENOSYS) {
            return -1; // kernel before 5.3: waitFor falls back to polling waitpid
        }
        if (fd < 0) {
            throw new IllegalStateException("pidfd_open of a child just started failed",
                    Failures.of("pidfd_open", "pid " + pid, -fd));
        }
        return fd;
    }

    /** {@return the child's process id} */
    public int pid() {
        return pid;
    }

    /**
     * The program and its arguments.
     *
     * @return the program and its arguments
     */
    public List<String> command() {
        return command;
    }

    /**
     * The exit status if it has ended (reaping it), else empty. Never waits.
     *
     * @return the exit status if it has ended
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<ExitStatus> exitStatus() throws IOException {
        synchronized (waitLock) {
            if (exitStatus == null) {
                int status = ProcessCalls.waitpidNoHang(pid);
                if (status < 0 && status != Integer.MIN_VALUE) {
                    throw Failures.of("waitpid", "pid " + pid, -status);
                }
                if (status >= 0) {
                    exitStatus = ExitStatus.fromWaitStatus(status);
                }
            }
            return Optional.ofNullable(exitStatus);
        }
    }

    /**
     * {@return whether the child is still running}
     *
     * @throws IOException if its pidfd cannot be polled
     */
    public boolean isAlive() throws IOException {
        return exitStatus().isEmpty();
    }

    /**
     * Waits as long as it takes for the child to end.
     *
     * @return how it ended
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public ExitStatus waitFor() throws IOException {
        return waitFor(Deadline.FOREVER);
    }

    /**
     * Waits at most {@code timeout} for the child to end.
     *
     * @param timeout the longest this call waits
     * @return how it ended
     * @throws IpcTimeoutException if it is still running then (it is left running).
     */
    public ExitStatus waitFor(Duration timeout) throws IOException {
        return waitFor(Deadline.after(timeout));
    }

    private ExitStatus waitFor(Deadline deadline) throws IOException {
        while (true) {
            Optional<ExitStatus> status = exitStatus();
            if (status.isPresent()) {
                return status.get();
            }
            long remainingMillis = deadline.isForever() ? 1000
                    : TimeUnit.NANOSECONDS.toMillis(deadline.nanosLeft() + 999_999);
            if (remainingMillis <= 0) {
                throw new IpcTimeoutException("waiting for pid " + pid + " (" + command.getFirst() + ")",
                        deadline.timeout(), 0);
            }
            if (pidfd == null || !awaitExit(deadline)) {
                sleep(Math.min(remainingMillis, FALLBACK_POLL_MILLIS));
            }
        }
    }

    /** Waits on the pidfd; false if another thread's close() released it (then waitpid polling takes over). */
    private boolean awaitExit(Deadline deadline) throws IOException {
        try {
            pidfd.begin();
        } catch (ClosedChannelException e) {
            return false;
        }
        try {
            pidfd.awaitReady(FileCalls.POLLIN, deadline, this);
            return true;
        } catch (java.nio.channels.AsynchronousCloseException e) {
            return false;
        } finally {
            pidfd.end();
        }
    }

    /**
     * The pidfd, readable once the child has ended.
     *
     * @throws ClosedChannelException after {@link #close()}, or on a kernel without pidfds (before 5.3).
     */
    @Override
    public int fd() throws ClosedChannelException {
        if (pidfd == null) {
            throw new ClosedChannelException();
        }
        return pidfd.fd();
    }

    /** Whether {@link #close()} has not been called yet. */
    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a child process");
        }
    }

    /**
     * Sends {@code signal}; false if the child has already ended. Through the pidfd, so never to an unrelated
     * process that reused the pid. Callable while another thread waits.
     *
     * @param signal the signal
     * @return true if it was sent, false if the child had already ended
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean signal(int signal) throws IOException {
        if (exitStatus != null || closed.get()) {
            return false;
        }
        if (pidfd == null) {
            return Failures.signalled(SignalCalls.kill(pid, signal), "kill", this + ", signal " + signal);
        }
        int fd;
        try {
            fd = pidfd.begin();
        } catch (ClosedChannelException e) {
            return false; // closed by another thread's close(), which reaps the child
        }
        try {
            return Failures.signalled(ProcessCalls.pidfdSendSignal(fd, signal), "pidfd_send_signal",
                    this + ", signal " + signal);
        } finally {
            pidfd.end();
        }
    }

    /**
     * SIGKILL.
     *
     * @return true if the signal was sent, false if the child had already ended
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean kill() throws IOException {
        return signal(Signal.KILL.number());
    }

    /**
     * SIGTERM.
     *
     * @return true if the signal was sent, false if the child had already ended
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean terminate() throws IOException {
        return signal(Signal.TERM.number());
    }

    /**
     * Kills the child if it is still running, reaps it, and releases the pidfd (an event loop it is registered
     * with forgets it). Harmless twice; a second caller does not wait for the first.
     */
    @Override
    public void close() {
        try {
            if (exitStatus().isEmpty()) {
                kill();
                waitFor(Duration.ofSeconds(30));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not stop pid " + pid, e);
        } finally {
            if (closed.compareAndSet(false, true) && pidfd != null) {
                pidfd.close();
            }
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + String.join(" ", command) + ")";
    }
}
