package io.ipc4j.socket;

import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.signal.Signal;

import java.io.IOException;

/**
 * The process at the other end of a Unix domain socket, held by a pidfd (SO_PEERPIDFD, Linux 6.5+): it keeps
 * naming that process even after it ends and its pid is given to another, so {@link #isAlive()} and
 * {@link #signal} can never hit a stranger.
 *
 * <p>Thread-safe. Close it to release the pidfd.
 */
public final class PeerProcess extends DescriptorOwner {
    private final int pid;

    PeerProcess(int pidfd, int pid) {
        super(pidfd);
        this.pid = pid;
    }

    /**
     * The process id it had when the connection was made.
     *
     * @return the process id it had when the connection was made
     */
    public int pid() {
        return pid;
    }

    /**
     * Whether the process is still running (its pidfd polls readable once it has ended).
     *
     * @return whether the process is still running
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean isAlive() throws IOException {
        int fd = handle.begin();
        try {
            return Failures.check(FileCalls.poll(fd, FileCalls.POLLIN, 0), "poll", this) == 0;
        } finally {
            handle.end();
        }
    }

    /**
     * Sends {@code signal} to this process and no other (pidfd_send_signal).
     *
     * @param signal the signal
     * @return false if it has ended.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean signal(Signal signal) throws IOException {
        int fd = handle.begin();
        try {
            return Failures.signalled(ProcessCalls.pidfdSendSignal(fd, signal.number()), "pidfd_send_signal",
                    this + ", " + signal);
        } finally {
            handle.end();
        }
    }

    @Override
    public String toString() {
        return "peer process " + pid;
    }
}
