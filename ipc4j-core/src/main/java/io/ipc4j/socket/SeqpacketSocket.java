package io.ipc4j.socket;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected Unix domain SOCK_SEQPACKET socket: connection-oriented like a stream (the peer's close is seen
 * as end of stream), message-oriented like a datagram (each send arrives as exactly one receive, in order,
 * never merged or split). The JDK has no such socket.
 *
 * <p>A message is at most the socket's send buffer. An empty message would read as end of stream, so
 * sending one is refused. See {@link NativeSocket} for threads, blocking and closing.
 */
public final class SeqpacketSocket extends NativeSocket {
    SeqpacketSocket(int fd, String description) {
        super(fd, SocketCalls.AF_UNIX, description);
    }

    /**
     * Connects to a seqpacket server at {@code endpoint}, waiting at most {@code timeout}.
     *
     * @param endpoint where to bind or connect
     * @param timeout the longest this call waits
     * @return the {@code SeqpacketSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SeqpacketSocket connect(UnixEndpoint endpoint, Duration timeout) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        return connectNew(endpoint, SocketCalls.SOCK_SEQPACKET, Deadline.after(timeout),
                fd -> new SeqpacketSocket(fd, "seqpacket socket connected to " + endpoint));
    }

    /**
     * Two connected seqpacket sockets (socketpair).
     *
     * @return the two sockets, each the other's peer
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketPair<SeqpacketSocket> pair() throws IOException {
        int[] fds = new int[2];
        int r = SocketCalls.socketpair(SocketCalls.SOCK_SEQPACKET, fds);
        if (r < 0) {
            throw Failures.of("socketpair", "AF_UNIX, SOCK_SEQPACKET", -r);
        }
        return new SocketPair<>(new SeqpacketSocket(fds[0], "seqpacket socket pair end 1").inBlockingMode(),
                new SeqpacketSocket(fds[1], "seqpacket socket pair end 2").inBlockingMode());
    }

    /**
     * Adopts a seqpacket socket this process inherited or was passed; makes it non-blocking, close-on-exec.
     *
     * @param fd the descriptor number
     * @return the {@code SeqpacketSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SeqpacketSocket fromInherited(int fd) throws IOException {
        adoptInherited(fd, SocketCalls.SOCK_SEQPACKET);
        return new SeqpacketSocket(fd, "inherited seqpacket socket fd " + fd);
    }

    /**
     * Sends {@code src} from its position to its limit as one message, waiting as long as it takes.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void send(ByteBuffer src) throws IOException {
        send(src, Deadline.FOREVER);
    }

    /**
     * Sends one message, waiting at most {@code timeout} for room.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param timeout the longest this call waits
     * @throws io.ipc4j.PeerClosedException if the peer has closed.
     */
    public void send(ByteBuffer src, Duration timeout) throws IOException {
        send(src, Deadline.after(timeout));
    }

    private void send(ByteBuffer src, Deadline deadline) throws IOException {
        if (!src.hasRemaining()) {
            throw new IllegalArgumentException("an empty seqpacket message reads as end of stream: send at least"
                    + " one byte");
        }
        sendLock.lock();
        int fd = handle.begin();
        try {
            sendMessage(fd, src, MemorySegment.NULL, 0, deadline, null);
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    /**
     * Receives one whole message into {@code dst}, waiting as long as it takes: its length, or -1 at end.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return its length, or -1 at end
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receive(ByteBuffer dst) throws IOException {
        return receive(dst, Deadline.FOREVER);
    }

    /**
     * Receives one whole message, waiting at most {@code timeout}: its length, or -1 at end of stream.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return its length, or -1 at end of stream
     * @throws MessageTooLongException if it does not fit {@code dst} (it stays queued).
     * @throws IpcTimeoutException if none arrived in time.
     */
    public int receive(ByteBuffer dst, Duration timeout) throws IOException {
        return receive(dst, Deadline.after(timeout));
    }

    /**
     * Receives a message if one is queued: its length, 0 if none, -1 at end of stream.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return its length, 0 if none, -1 at end of stream
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receiveNow(ByteBuffer dst) throws IOException {
        int n = receive(dst, Deadline.NOW);
        return n == NOTHING_QUEUED ? 0 : n;
    }

    private int receive(ByteBuffer dst, Deadline deadline) throws IOException {
        receiveLock.lock();
        int fd = handle.begin();
        try {
            return receiveMessage(fd, dst, deadline, MemorySegment.NULL, MemorySegment.NULL);
        } finally {
            handle.end();
            receiveLock.unlock();
        }
    }

    @Override
    boolean isEndOfStream(int fd) {
        return true; // empty messages are never sent by ipc4j, and a zero-length recv is the peer's close
    }
}
