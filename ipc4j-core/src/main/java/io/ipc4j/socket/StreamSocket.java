package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A connected byte-stream socket: Unix domain (SOCK_STREAM) or TCP, with the same methods. A byte stream has
 * no message boundaries: two writes may arrive as one read and one write as two (use
 * {@link SeqpacketSocket} or {@link DatagramSocket} to keep them).
 *
 * <p>TCP sockets have TCP_NODELAY on: small request/response messages go out at once instead of waiting
 * for Nagle's algorithm. See {@link NativeSocket} for threads, blocking and closing.
 */
public final class StreamSocket extends NativeSocket implements ByteChannel {
    /** The send and receive batches this socket is in, if any; each read and written by its batch's thread. */
    Transfers sendBatch;
    Transfers receiveBatch;

    StreamSocket(int fd, int family, String description) {
        super(fd, family, description);
    }

    /**
     * Connects to {@code endpoint}, waiting as long as it takes.
     *
     * @param endpoint where to bind or connect
     * @return the {@code StreamSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static StreamSocket connect(Endpoint endpoint) throws IOException {
        return connect(endpoint, Duration.ofDays(365 * 200));
    }

    /**
     * Connects to {@code endpoint} (a Unix socket path or abstract name, or a TCP address).
     *
     * @param endpoint where to bind or connect
     * @param timeout the longest this call waits
     * @return the {@code StreamSocket}
     * @throws java.nio.file.NoSuchFileException if there is no socket file.
     * @throws io.ipc4j.ErrnoException ECONNREFUSED if nothing listens there.
     * @throws IpcTimeoutException if the connection was not made within {@code timeout}.
     */
    public static StreamSocket connect(Endpoint endpoint, Duration timeout) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        int family = Addresses.family(endpoint);
        return connectNew(endpoint, SocketCalls.SOCK_STREAM, Deadline.after(timeout),
                fd -> adopt(fd, family, "stream socket connected to " + endpoint));
    }

    static StreamSocket adopt(int fd, int family, String description) {
        if (family != SocketCalls.AF_UNIX) {
            SocketCalls.setIntOption(fd, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY, 1);
        }
        return new StreamSocket(fd, family, description);
    }

    /**
     * Two connected Unix stream sockets (socketpair).
     *
     * @return the two sockets, each the other's peer
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SocketPair<StreamSocket> pair() throws IOException {
        int[] fds = new int[2];
        int r = SocketCalls.socketpair(SocketCalls.SOCK_STREAM, fds);
        if (r < 0) {
            throw Failures.of("socketpair", "AF_UNIX, SOCK_STREAM", -r);
        }
        return new SocketPair<>(new StreamSocket(fds[0], SocketCalls.AF_UNIX, "stream socket pair end 1").inBlockingMode(),
                new StreamSocket(fds[1], SocketCalls.AF_UNIX, "stream socket pair end 2").inBlockingMode());
    }

    /**
     * Adopts a stream socket this process inherited (see {@link io.ipc4j.process.Spawn#inherit}) or received
     * ({@link PassedDescriptor#asStreamSocket()}); makes it non-blocking and close-on-exec.
     *
     * @param fd the descriptor number
     * @return the {@code StreamSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static StreamSocket fromInherited(int fd) throws IOException {
        adoptInherited(fd, SocketCalls.SOCK_STREAM);
        try (java.lang.foreign.Arena local = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int length = SocketCalls.getsockname(fd, address);
            int family = length < 0 ? SocketCalls.AF_UNIX : address.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0);
            return adopt(fd, family, "inherited stream socket fd " + fd);
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads at least one byte, waiting as long as it takes; -1 at end of stream. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, Deadline.FOREVER);
    }

    /**
     * Reads at least one byte, waiting at most {@code timeout}: the count, or -1 at end of stream.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return the count, or -1 at end of stream
     * @throws IpcTimeoutException if nothing arrived in time.
     */
    public int read(ByteBuffer dst, Duration timeout) throws IOException {
        return read(dst, Deadline.after(timeout));
    }

    /**
     * Reads what is there without waiting: the count, 0 if nothing, -1 at end of stream.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return the count, 0 if nothing, -1 at end of stream
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int readNow(ByteBuffer dst) throws IOException {
        return read(dst, Deadline.NOW);
    }

    /**
     * Fills {@code dst}, waiting at most {@code timeout} in all.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @throws EOFException if the stream ends first (what arrived is in {@code dst}).
     */
    public void readFully(ByteBuffer dst, Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (read(dst, deadline) < 0) {
                throw new EOFException(description + ": end of stream after " + (dst.position() - start) + " of "
                        + (dst.limit() - start) + " bytes");
            }
        }
    }

    /*
     * How an untimed read on a platform thread waits. A TCP socket sleeps in recv(2). A Unix stream socket's
     * sleeping recv is woken each time the peer consumes what this socket sent (unix_stream_data_wait's
     * wait-queue entry takes the peer's write-space wake-ups too): in a C request/response exchange, 1.14-1.25
     * wake-ups per message, against 1.00 on every other mechanism. On a VM whose idle CPUs halt, that spurious
     * wake-up made round trips bimodal (C: p50 21-57 us, p90 100 us). It waits in poll(2) instead, whose entry
     * wakes for POLLIN only: a non-blocking attempt, a poll, a second attempt (C, the same exchange: p50 27 us,
     * p90 27).
     */
    private int read(ByteBuffer dst, Deadline deadline) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        receiveLock.lock();
        int fd = handle.begin();
        try {
            int room = Math.min(dst.remaining(), dst.isDirect() ? Integer.MAX_VALUE : SCRATCH_BYTES);
            MemorySegment target = stageForReceive(dst, room);
            boolean direct = handle.mayBlockDirectly(deadline);
            boolean receiveBlocks = direct && family != SocketCalls.AF_UNIX; // see above
            while (true) {
                long n = receiveBlocks ? handle.callBlocking(SocketCalls::receiveInterruptibly, target, room, this)
                        : SocketCalls.recvfrom(fd, target, room, SocketCalls.MSG_DONTWAIT, MemorySegment.NULL,
                        MemorySegment.NULL);
                if (n > 0) {
                    unstage(dst, (int) n);
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                if (n == -Errno.ECONNRESET) {
                    return -1; // the peer closed with data unread: for a reader, the stream has ended
                }
                if (n != -Errno.EAGAIN) {
                    throw Failures.of("recv", description, (int) -n);
                }
                receiveBlocks = false; // nothing yet, or made non-blocking by another holder
                if (deadline.isNow()) {
                    return 0;
                }
                if (direct) {
                    handle.awaitReadyDirectly(FileCalls.POLLIN, this);
                } else if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("read(" + description + ")", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
            receiveLock.unlock();
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes all of {@code src}, waiting as long as it takes for room; returns the count. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, Deadline.FOREVER);
    }

    /**
     * Writes all of {@code src}, waiting at most {@code timeout} in all.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param timeout the longest this call waits
     * @return how many bytes were written: all of them
     * @throws IpcTimeoutException if the peer did not take it all in time; its
     *                             {@code bytesTransferred} says how much went.
     * @throws io.ipc4j.PeerClosedException if the peer has closed (EPIPE).
     */
    public int write(ByteBuffer src, Duration timeout) throws IOException {
        return write(src, Deadline.after(timeout));
    }

    /**
     * Writes what the socket takes now, without waiting (for event loops): the count, 0 if it has no room.
     * {@code src}'s position moves past what was written.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @return the count, 0 if it has no room
     * @throws io.ipc4j.PeerClosedException if the peer has closed (EPIPE).
     */
    public int writeNow(ByteBuffer src) throws IOException {
        int total = src.remaining();
        sendLock.lock();
        int fd = handle.begin();
        try {
            while (src.hasRemaining()) {
                int n = Math.min(src.remaining(), src.isDirect() ? Integer.MAX_VALUE : SCRATCH_BYTES);
                long sent = SocketCalls.sendto(fd, stageForSend(src, n), n, MemorySegment.NULL, 0);
                if (sent == -Errno.EAGAIN) {
                    break;
                }
                if (sent < 0) {
                    throw Failures.of("send", description, (int) -sent);
                }
                src.position(src.position() + (int) sent);
            }
            return total - src.remaining();
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    /**
     * Writes what the socket takes now from {@code srcs[offset, offset + length)}, in order, without waiting:
     * the byte count, 0 if it has no room. Heap buffers are gathered into native memory (64 KiB a send), so
     * many small buffers cost one send(2). Positions move past what was written.
     *
     * @param srcs the buffers to send, in order
     * @param offset the index in {@code srcs} of the first buffer to send
     * @param length how many buffers, from {@code offset}
     * @return the byte count, 0 if it has no room
     * @throws io.ipc4j.PeerClosedException if the peer has closed (EPIPE).
     */
    public long writeNow(ByteBuffer[] srcs, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, srcs.length);
        sendLock.lock();
        int fd = handle.begin();
        try {
            long total = 0;
            while (true) {
                long filled = gatherForSend(srcs, offset, length);
                if (filled == 0) {
                    return total;
                }
                long sent = SocketCalls.sendto(fd, sendScratch(), filled, MemorySegment.NULL, 0);
                if (sent == -Errno.EAGAIN) {
                    return total;
                }
                if (sent < 0) {
                    throw Failures.of("send", description, (int) -sent);
                }
                advance(srcs, offset, sent);
                total += sent;
                if (sent < filled) {
                    return total;
                }
            }
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    private int write(ByteBuffer src, Deadline deadline) throws IOException {
        int total = src.remaining();
        sendLock.lock();
        int fd = handle.begin();
        try {
            writeAll(fd, src, deadline, total);
            return total;
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    @Override
    void sendRemaining(int fd, ByteBuffer data, Deadline deadline) throws IOException {
        writeAll(fd, data, deadline, data.remaining());
    }

    private void writeAll(int fd, ByteBuffer src, Deadline deadline, int total) throws IOException {
        boolean direct = handle.mayBlockDirectly(deadline);
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), src.isDirect() ? Integer.MAX_VALUE : SCRATCH_BYTES);
            MemorySegment source = stageForSend(src, n);
            long sent = direct ? handle.callBlocking(SocketCalls::sendInterruptibly, source, n, this)
                    : SocketCalls.sendto(fd, source, n, MemorySegment.NULL, 0);
            if (sent > 0) {
                src.position(src.position() + (int) sent);
                continue;
            }
            if (sent != -Errno.EAGAIN) {
                throw Failures.of("send", description, (int) -sent);
            }
            direct = false; // made non-blocking by another holder: wait the general way
            if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                throw new IpcTimeoutException("write(" + description + ")", deadline.timeout(), total - src.remaining());
            }
        }
    }

    // ---------------------------------------------------------------- streams

    /**
     * This socket as an InputStream (reads wait as long as it takes); closing it closes the socket.
     *
     * @return this socket as an InputStream
     */
    public InputStream inputStream() {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : StreamSocket.this.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() {
                StreamSocket.this.close();
            }
        };
    }

    /**
     * This socket as an OutputStream (writes wait as long as it takes); closing it closes the socket.
     *
     * @return this socket as an OutputStream
     */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                StreamSocket.this.write(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() {
                StreamSocket.this.close();
            }
        };
    }
}
