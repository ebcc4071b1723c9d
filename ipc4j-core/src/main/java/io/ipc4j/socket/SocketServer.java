package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening socket that accepts connections: stream ({@link #stream}: Unix domain or TCP) or seqpacket
 * ({@link #seqpacket}: Unix domain only).
 *
 * <h2>The socket file</h2>
 * For a path endpoint the file gets its mode (default 0600: only this user may connect) from the first
 * instant, with no window in which it is more open. A socket file left by a server that died is detected (no
 * process is bound to it) and replaced; a live server's socket is never taken over: binding fails with
 * EADDRINUSE saying so. {@link #close()} removes the file if it is still this server's. A server killed
 * with SIGKILL leaves it behind (nothing can run then); the next server at that path replaces it.
 *
 * <h2>Threads</h2>
 * {@link #accept} may be called from several threads; {@link #close()} from any, ending blocked accepts
 * within 200 ms.
 *
 * @param <S> the type of socket
 */
public final class SocketServer<S extends NativeSocket> extends DescriptorOwner {
    /** The listen backlog unless told otherwise; the kernel caps it at net.core.somaxconn. */
    public static final int DEFAULT_BACKLOG = 4096;

    private final Endpoint endpoint;
    private final int type;
    private final int family;
    private final SocketFiles.OwnedFile file;
    private final String description;

    private SocketServer(int fd, Endpoint endpoint, int type, SocketFiles.OwnedFile file) throws IOException {
        super(fd);
        this.type = type;
        this.family = Addresses.family(endpoint);
        this.file = file;
        this.endpoint = boundEndpoint(fd, endpoint);
        this.description = NativeSocket.typeName(type) + " server at " + this.endpoint;
    }

    /**
     * A stream server (Unix domain or TCP) at {@code endpoint}, mode 0600 for a socket file.
     *
     * @param endpoint where to bind or connect
     * @return a stream server
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketServer<StreamSocket> stream(Endpoint endpoint) throws IOException {
        return stream(endpoint, SocketFiles.DEFAULT_MODE, DEFAULT_BACKLOG);
    }

    /**
     * A stream server at {@code endpoint}.
     *
     * @param endpoint where to bind or connect
     * @param mode    the socket file's permission bits (0600, 0660, ...); ignored for abstract names and TCP.
     * @param backlog connections the kernel queues before {@link #accept} takes them.
     * @return a stream server at {@code endpoint}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketServer<StreamSocket> stream(Endpoint endpoint, int mode, int backlog) throws IOException {
        return open(endpoint, SocketCalls.SOCK_STREAM, mode, backlog);
    }

    /**
     * A seqpacket server at {@code endpoint}, mode 0600 for a socket file.
     *
     * @param endpoint where to bind or connect
     * @return a seqpacket server at {@code endpoint}, mode 0600 for a socket file
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketServer<SeqpacketSocket> seqpacket(UnixEndpoint endpoint) throws IOException {
        return seqpacket(endpoint, SocketFiles.DEFAULT_MODE, DEFAULT_BACKLOG);
    }

    /**
     * A seqpacket server at {@code endpoint} with the socket file's mode and the backlog.
     *
     * @param endpoint where to bind or connect
     * @param mode the permission bits, such as {@code 0600}
     * @param backlog how many connections may wait to be accepted
     * @return a seqpacket server at {@code endpoint} with the socket file's mode and the backlog
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketServer<SeqpacketSocket> seqpacket(UnixEndpoint endpoint, int mode, int backlog)
            throws IOException {
        return open(endpoint, SocketCalls.SOCK_SEQPACKET, mode, backlog);
    }

    private static <S extends NativeSocket> SocketServer<S> open(Endpoint endpoint, int type, int mode, int backlog)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
        }
        int fd = NativeSocket.newSocket(Addresses.family(endpoint), type, endpoint);
        try {
            SocketFiles.OwnedFile file = SocketFiles.bind(fd, endpoint, type, mode, backlog);
            try {
                return new SocketServer<>(fd, endpoint, type, file);
            } catch (IOException | RuntimeException e) {
                SocketFiles.removeIfOurs(file);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    private static Endpoint boundEndpoint(int fd, Endpoint asked) throws IOException {
        if (!(asked instanceof InetEndpoint)) {
            return asked;
        }
        try (java.lang.foreign.Arena local = java.lang.foreign.Arena.ofConfined()) {
            var address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int length = SocketCalls.getsockname(fd, address);
            if (length < 0) {
                throw Failures.of("getsockname", asked.toString(), -length);
            }
            return Addresses.decode(address, length); // port 0 became a real port
        }
    }

    /**
     * Where clients connect: for TCP with port 0, the port the kernel chose.
     *
     * @return where clients connect: for TCP with port 0, the port the kernel chose
     */
    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Accepts the next connection, waiting as long as it takes.
     *
     * @return the {@code S}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public S accept() throws IOException {
        return accept(Deadline.FOREVER);
    }

    /**
     * Accepts the next connection, waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @return the {@code S}
     * @throws IpcTimeoutException if no client connected in time.
     */
    public S accept(Duration timeout) throws IOException {
        return accept(Deadline.after(timeout));
    }

    /**
     * Accepts a connection if one is waiting, else returns null.
     *
     * @return the connection, or null if none is waiting
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public S acceptNow() throws IOException {
        return accept(Deadline.NOW);
    }

    @SuppressWarnings("unchecked")
    private S accept(Deadline deadline) throws IOException {
        int fd = handle.begin();
        try {
            while (true) {
                int client = SocketCalls.accept(fd);
                if (client >= 0) {
                    return (S) wrap(client);
                }
                if (client != -Errno.EAGAIN && client != -Errno.ECONNABORTED) {
                    throw Failures.of("accept4", description, -client);
                }
                if (deadline.isNow()) {
                    return null;
                }
                if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("accept(" + description + ")", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
        }
    }

    private NativeSocket wrap(int client) {
        String what = NativeSocket.typeName(type) + " connection " + client + " accepted at " + endpoint;
        NativeSocket socket = type == SocketCalls.SOCK_STREAM ? StreamSocket.adopt(client, family, what)
                : new SeqpacketSocket(client, what);
        return socket.inBlockingMode();
    }

    /** Stops listening and removes the socket file if it is still this server's. Idempotent. */
    @Override
    public void close() {
        if (handle.isOpen()) {
            SocketFiles.removeIfOurs(file); // first, so no client finds a file with no listener behind it
        }
        handle.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
