package io.ipc4j.socket;

import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Posix;
import io.ipc4j.signal.Signal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * The process at the other end of a Unix domain socket, held by a pidfd (SO_PEERPIDFD, Linux 6.5+): it keeps
 * naming that process even after it ends and its pid is given to another, so {@link #isAlive()} and
 * {@link #signal} can never hit a stranger.
 *
 * <p>Thread-safe. Close it to release the pidfd.
 */
public final class PeerProcess implements NativeDescriptor {
    private final FdHandle handle;
    private final int pid;

    PeerProcess(int pidfd, int pid) {
        this.handle = new FdHandle(this, pidfd);
        this.pid = pid;
    }

    /** The process id it had when the connection was made. */
    public int pid() {
        return pid;
    }

    /** Whether the process is still running (its pidfd polls readable once it has ended). */
    public boolean isAlive() throws IOException {
        int fd = handle.begin();
        try {
            return Posix.poll(fd, Posix.POLLIN, 0, this) == 0;
        } finally {
            handle.end();
        }
    }

    /**
     * Sends {@code signal} to this process and no other (pidfd_send_signal).
     *
     * @return false if it has ended.
     */
    public boolean signal(Signal signal) throws IOException {
        int fd = handle.begin();
        try {
            return Posix.pidfdSendSignal(fd, signal.number(), this);
        } finally {
            handle.end();
        }
    }

    @Override
    public int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "peer process " + pid;
    }
}
