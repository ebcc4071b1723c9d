package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A datagram socket: Unix domain (SOCK_DGRAM, which the JDK lacks) or UDP, with the same methods. Each send
 * is one message and arrives whole or not at all; boundaries are kept.
 *
 * <p>Unix datagrams are reliable and ordered (a full receiver makes the sender wait); UDP ones may be lost,
 * duplicated or reordered. A Unix socket bound to a path owns its socket file and removes it on close; a
 * socket opened with {@link #openUnix()} has an automatic abstract name so that replies can reach it.
 * See {@link NativeSocket} for threads, blocking and closing.
 */
public final class DatagramSocket extends NativeSocket {
    private final SocketFiles.OwnedFile ownedFile;
    private final MemorySegment destination = Arena.ofAuto().allocate(SocketCalls.SOCKADDR_STORAGE, 8);
    private final MemorySegment source = Arena.ofAuto().allocate(SocketCalls.SOCKADDR_STORAGE + 8, 8);
    private Endpoint lastDestination;
    private int destinationLength;

    private DatagramSocket(int fd, int family, String description, SocketFiles.OwnedFile ownedFile) {
        super(fd, family, description);
        this.ownedFile = ownedFile;
    }

    /**
     * A datagram socket bound to {@code endpoint}: a Unix path (created with mode 0600; a stale file left by a
     * dead process is replaced, a live socket's never), an abstract name, or a UDP address (port 0: any).
     *
     * @param endpoint where to bind or connect
     * @return a datagram socket bound to {@code endpoint}: a Unix path
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static DatagramSocket bind(Endpoint endpoint) throws IOException {
        return bind(endpoint, SocketFiles.DEFAULT_MODE);
    }

    /**
     * As {@link #bind(Endpoint)}, with the socket file's permission bits (such as 0660) for a path.
     *
     * @param endpoint where to bind or connect
     * @param mode the permission bits, such as {@code 0600}
     * @return the bound socket
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static DatagramSocket bind(Endpoint endpoint, int mode) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        int family = Addresses.family(endpoint);
        int fd = newSocket(family, SocketCalls.SOCK_DGRAM, endpoint);
        try {
            SocketFiles.OwnedFile file = SocketFiles.bind(fd, endpoint, SocketCalls.SOCK_DGRAM, mode, 0);
            return new DatagramSocket(fd, family, "datagram socket at " + endpoint, file).inBlockingMode();
        } catch (IOException | RuntimeException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * A Unix datagram socket with an automatic abstract name (autobind), to send from and get replies.
     *
     * @return a Unix datagram socket with an automatic abstract name
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static DatagramSocket openUnix() throws IOException {
        int fd = newSocket(SocketCalls.AF_UNIX, SocketCalls.SOCK_DGRAM, "unnamed datagram socket");
        try (Arena local = Arena.ofConfined()) {
            MemorySegment family = local.allocate(2, 2);
            family.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) SocketCalls.AF_UNIX);
            int r = SocketCalls.bind(fd, family, 2); // only sa_family: the kernel picks an abstract name
            if (r < 0) {
                throw Failures.of("bind", "autobind", -r);
            }
            return new DatagramSocket(fd, SocketCalls.AF_UNIX, "datagram socket", null).inBlockingMode();
        } catch (IOException | RuntimeException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Two connected Unix datagram sockets (socketpair).
     *
     * @return the two sockets, each the other's peer
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketPair<DatagramSocket> pair() throws IOException {
        int[] fds = new int[2];
        int r = SocketCalls.socketpair(SocketCalls.SOCK_DGRAM, fds);
        if (r < 0) {
            throw Failures.of("socketpair", "AF_UNIX, SOCK_DGRAM", -r);
        }
        return new SocketPair<>(
                new DatagramSocket(fds[0], SocketCalls.AF_UNIX, "datagram socket pair end 1", null).inBlockingMode(),
                new DatagramSocket(fds[1], SocketCalls.AF_UNIX, "datagram socket pair end 2", null).inBlockingMode());
    }

    /**
     * Sets the default destination, so that {@link #send} needs none, and receives only from it. For Unix
     * sockets a full receiver can then be waited on efficiently.
     *
     * @param peer the peer
     * @return the {@code DatagramSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public DatagramSocket connect(Endpoint peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        connect(peer, SocketCalls.SOCK_DGRAM, Deadline.after(Duration.ofSeconds(10)));
        return this;
    }

    /**
     * Sends one datagram to the connected peer, waiting as long as it takes for room.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void send(ByteBuffer src) throws IOException {
        sendTo(src, null, Deadline.FOREVER);
    }

    /**
     * Sends one datagram to the connected peer, waiting at most {@code timeout} for room.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param timeout the longest this call waits
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void send(ByteBuffer src, Duration timeout) throws IOException {
        sendTo(src, null, Deadline.after(timeout));
    }

    /**
     * Sends one datagram to {@code to}, waiting as long as it takes for room.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param to the destination
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void sendTo(ByteBuffer src, Endpoint to) throws IOException {
        sendTo(src, Objects.requireNonNull(to, "to"), Deadline.FOREVER);
    }

    /**
     * Sends one datagram to {@code to}, waiting at most {@code timeout} for room.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param to the destination
     * @param timeout the longest this call waits
     * @throws io.ipc4j.ErrnoException ECONNREFUSED if no socket is bound there.
     */
    public void sendTo(ByteBuffer src, Endpoint to, Duration timeout) throws IOException {
        sendTo(src, Objects.requireNonNull(to, "to"), Deadline.after(timeout));
    }

    private void sendTo(ByteBuffer src, Endpoint to, Deadline deadline) throws IOException {
        sendLock.lock();
        int fd = handle.begin();
        try {
            MemorySegment address = MemorySegment.NULL;
            int length = 0;
            if (to != null) {
                if (!to.equals(lastDestination)) { // encode once per destination, not per message
                    destinationLength = Addresses.encode(to, destination);
                    lastDestination = to;
                }
                address = destination;
                length = destinationLength;
            }
            sendMessage(fd, src, address, length, deadline, to);
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    /**
     * Receives one whole datagram into {@code dst}, waiting as long as it takes: its length.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return its length
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receive(ByteBuffer dst) throws IOException {
        return receive(dst, Deadline.FOREVER, false);
    }

    /**
     * Receives one whole datagram into {@code dst}, waiting at most {@code timeout}: its length.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return its length
     * @throws MessageTooLongException if it does not fit {@code dst} (it stays queued).
     * @throws IpcTimeoutException if none arrived in time.
     */
    public int receive(ByteBuffer dst, Duration timeout) throws IOException {
        return receive(dst, Deadline.after(timeout), false);
    }

    /**
     * Receives a datagram if one is queued: its length, or -1 if none. (0 is an empty datagram.)
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return its length, or -1 if none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receiveNow(ByteBuffer dst) throws IOException {
        int n = receive(dst, Deadline.NOW, false);
        return n == NOTHING_QUEUED ? -1 : n;
    }

    /**
     * Receives one whole datagram, waiting at most {@code timeout}, and tells who sent it: empty for an
     * unnamed Unix socket, which cannot be replied to.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return the sender's address, or empty for an unnamed Unix socket, which cannot be replied to
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<Endpoint> receiveFrom(ByteBuffer dst, Duration timeout) throws IOException {
        receiveLock.lock();
        try {
            receive(dst, Deadline.after(timeout), true);
            return Optional.ofNullable(Addresses.decode(source, source.get(JAVA_INT, SocketCalls.SOCKADDR_STORAGE)));
        } finally {
            receiveLock.unlock();
        }
    }

    private int receive(ByteBuffer dst, Deadline deadline, boolean withSource) throws IOException {
        receiveLock.lock();
        int fd = handle.begin();
        try {
            MemorySegment from = MemorySegment.NULL;
            MemorySegment fromLength = MemorySegment.NULL;
            if (withSource) {
                from = source.asSlice(0, SocketCalls.SOCKADDR_STORAGE);
                fromLength = source.asSlice(SocketCalls.SOCKADDR_STORAGE, 4);
                fromLength.set(JAVA_INT, 0, (int) SocketCalls.SOCKADDR_STORAGE);
            }
            return receiveMessage(fd, dst, deadline, from, fromLength);
        } finally {
            handle.end();
            receiveLock.unlock();
        }
    }

    /** A UDP datagram's length is a 16-bit field: a 64 KiB buffer takes any; a Unix datagram has no such bound. */
    @Override
    int longestMessage() {
        return family == SocketCalls.AF_UNIX ? Integer.MAX_VALUE : UDP_LONGEST;
    }

    /** The most a UDP datagram carries, header included (its length field is 16 bits). */
    private static final int UDP_LONGEST = 65_535;

    /** Closes the socket and removes the socket file it was bound to, if it is still this socket's. */
    @Override
    public void close() {
        super.close();
        SocketFiles.removeIfOurs(ownedFile);
    }
}
