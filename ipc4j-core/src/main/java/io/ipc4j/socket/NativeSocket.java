package io.ipc4j.socket;

import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.wait.Backoff;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What every ipc4j socket has: one close-on-exec descriptor made through FFM; its local endpoint; for Unix
 * domain sockets the peer's credentials and pidfd and descriptor passing.
 *
 * <h2>Threads and blocking</h2>
 * Thread-safe: sends are serialised with sends and receives with receives, so one thread may send while
 * another receives. {@link #close()} may be called from any thread; an operation blocked in another thread
 * then ends with {@link java.nio.channels.AsynchronousCloseException} (at once; within 200 ms at worst). Every
 * blocking call has a form with a {@link Duration} (throwing {@link IpcTimeoutException}) and a form that never
 * waits. A socket ipc4j made (connected, accepted, bound or paired) is in blocking mode, and its calls that must
 * not wait say MSG_DONTWAIT: so on a platform thread a call without a timeout blocks in recv(2) or send(2)
 * itself, as a C program's would (a close or an interrupt from another thread ends it with a signal, as the
 * JDK's blocking channels do), while a call with a timeout waits in poll(2). A Unix stream socket's read
 * without a timeout is the exception: it waits in one poll(2) without a timeout, ended the same way, because the
 * kernel also wakes a sleeping Unix stream read when the peer consumes what this socket sent (see
 * {@link StreamSocket}). A virtual thread parks and leaves its carrier free. An adopted socket
 * ({@code fromInherited}) is made non-blocking and always waits in poll(2).
 */
public abstract sealed class NativeSocket extends DescriptorOwner
        permits StreamSocket, DatagramSocket, SeqpacketSocket {
    /** SCM_MAX_FD: the most descriptors one message can carry. */
    public static final int MAX_DESCRIPTORS = 253;
    /** The most a heap buffer's send or receive stages natively in one call. */
    static final int SCRATCH_BYTES = 64 * 1024;
    private static final long CONTROL_BYTES = SocketCalls.CMSG_HEADER + cmsgAlign(4L * MAX_DESCRIPTORS);
    /** One block per direction, made once: the msghdr, its one iovec, and room for the control message. */
    private static final StructLayout MESSAGE_BLOCK = MemoryLayout.structLayout(
            SocketCalls.MSGHDR.withName("header"), SocketCalls.IOVEC.withName("iov"),
            MemoryLayout.sequenceLayout(CONTROL_BYTES, JAVA_BYTE).withName("control"));
    private static final long IOV_AT = MESSAGE_BLOCK.byteOffset(groupElement("iov"));
    private static final long CONTROL_AT = MESSAGE_BLOCK.byteOffset(groupElement("control"));

    final int family;
    final String description;
    final ReentrantLock sendLock = new ReentrantLock();
    final ReentrantLock receiveLock = new ReentrantLock();
    /** Segments over the direct buffers this socket sends from (under sendLock) and receives into (receiveLock). */
    private final BufferSegments sources = new BufferSegments();
    private final BufferSegments targets = new BufferSegments();
    private final Arena arena = Arena.ofAuto();
    /** Guarded by sendLock / receiveLock: message headers (heap buffers stage in the thread's {@link Scratch}). */
    private MemorySegment sendMessage;
    private MemorySegment receiveMessage;
    /** Guarded by receiveLock: made at the first receive of a message that could be longer than its buffer. */
    private SpillReceiver spillReceiver;

    NativeSocket(int fd, int family, String description) {
        super(fd);
        this.family = family;
        this.description = description;
    }

    // ---------------------------------------------------------------- opening

    /**
     * Puts this new socket in blocking mode, for direct waits (FdHandle.callBlocking); every
     * non-blocking attempt on it says MSG_DONTWAIT. Returns this socket.
     */
    @SuppressWarnings("unchecked")
    final <S extends NativeSocket> S inBlockingMode() {
        handle.enterBlockingMode();
        return (S) this;
    }

    /** A new socket descriptor, or an exception naming the endpoint it was for. */
    static int newSocket(int family, int type, Object what) throws IOException {
        int fd = SocketCalls.socket(family, type);
        if (fd < 0) {
            throw Failures.of("socket", String.valueOf(what), -fd);
        }
        return fd;
    }

    /**
     * A new socket of {@code type}, made by {@code adopt} from its descriptor, connected to {@code endpoint}
     * by {@code deadline}; closed if the connect fails.
     */
    static <S extends NativeSocket> S connectNew(Endpoint endpoint, int type, Deadline deadline,
                                                 java.util.function.IntFunction<S> adopt) throws IOException {
        int fd = newSocket(Addresses.family(endpoint), type, endpoint);
        S socket;
        try {
            socket = adopt.apply(fd);
        } catch (RuntimeException | Error e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        try {
            socket.connect(endpoint, type, deadline);
            return socket.inBlockingMode();
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** connect(2) on this socket, waiting (as its other calls do, parking a virtual thread) until {@code deadline}. */
    final void connect(Endpoint endpoint, int type, Deadline deadline) throws IOException {
        int fd = handle.begin();
        try {
            connect(fd, endpoint, type, deadline);
        } finally {
            handle.end();
        }
    }

    private void connect(int fd, Endpoint endpoint, int type, Deadline deadline) throws IOException {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int length = Addresses.encode(endpoint, address);
            Backoff backoff = new Backoff();
            while (true) {
                int r = SocketCalls.connect(fd, address, length);
                if (r == 0) {
                    return;
                }
                if (r == -Errno.EINPROGRESS) { // TCP: wait for the handshake
                    awaitConnected(fd, endpoint, deadline);
                    return;
                }
                if (r == -Errno.EAGAIN) { // a Unix listener's backlog is full: it cannot be polled for
                    if (!backoff.idle(deadline)) {
                        throw new IpcTimeoutException("connect(" + endpoint + "): the server's backlog stayed full",
                                deadline.timeout(), 0);
                    }
                    continue;
                }
                throw Failures.of("connect", endpoint.toString(), -r, connectAdvice(-r, endpoint, type));
            }
        }
    }

    private void awaitConnected(int fd, Endpoint endpoint, Deadline deadline) throws IOException {
        if (handle.awaitReady(FileCalls.POLLOUT, deadline, endpoint) == 0) {
            throw new IpcTimeoutException("connect(" + endpoint + ")", deadline.timeout(), 0);
        }
        int error = SocketCalls.getIntOption(fd, SocketCalls.SOL_SOCKET, SocketCalls.SO_ERROR);
        if (error != 0) {
            int errno = error < 0 ? -error : error;
            throw Failures.of("connect", endpoint.toString(), errno, connectAdvice(errno, endpoint, 0));
        }
    }

    private static String connectAdvice(int errno, Endpoint endpoint, int type) {
        boolean unix = endpoint instanceof UnixEndpoint;
        return switch (errno) {
            case Errno.ENOENT -> "there is no socket file there: is the server running?";
            case Errno.ECONNREFUSED -> unix && !((UnixEndpoint) endpoint).isAbstract()
                    ? "nothing is listening on it (a socket file left by a server that died?)"
                    : "nothing is listening there";
            case Errno.EACCES -> "the socket file's mode or its directory does not let this user connect";
            case Errno.EPROTOTYPE -> "the socket there is of another type than " + typeName(type);
            default -> null;
        };
    }

    /**
     * Checks that {@code fd} is a socket of {@code type} this process inherited or was passed, and makes it
     * close-on-exec and non-blocking, as ipc4j's own sockets are.
     */
    static void adoptInherited(int fd, int type) throws IOException {
        int actual = SocketCalls.getIntOption(fd, SocketCalls.SOL_SOCKET, 3 /* SO_TYPE */);
        if (actual < 0) {
            throw Failures.of("getsockopt(SO_TYPE)", "inherited fd " + fd, -actual, -actual == Errno.ENOTSOCK
                    ? "descriptor " + fd + " is not a socket" : null);
        }
        if (actual != type) {
            throw new IllegalArgumentException("descriptor " + fd + " is a " + typeName(actual) + " socket, not "
                    + typeName(type));
        }
        Failures.check(FileCalls.fcntl(fd, FileCalls.F_SETFD, FileCalls.FD_CLOEXEC), "fcntl(F_SETFD)", "fd " + fd);
        Failures.check(FileCalls.setNonBlocking(fd, true), "fcntl(F_SETFL)", "fd " + fd);
    }

    static String typeName(int type) {
        return switch (type) {
            case SocketCalls.SOCK_STREAM -> "stream";
            case SocketCalls.SOCK_DGRAM -> "datagram";
            case SocketCalls.SOCK_SEQPACKET -> "seqpacket";
            default -> "type " + type;
        };
    }

    // ---------------------------------------------------------------- buffers

    /**
     * The kernel's send buffer for this socket, in bytes (SO_SNDBUF): for a Unix datagram socket it bounds the
     * largest datagram and how many are in flight to a slow receiver; for a stream, how much a write queues.
     *
     * @return the size getsockopt(2) reports: twice what was asked, on Linux (half is for its bookkeeping)
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int sendBufferSize() throws IOException {
        return intOption(SocketCalls.SO_SNDBUF, "SO_SNDBUF");
    }

    /**
     * Asks for a send buffer of {@code bytes} (setsockopt SO_SNDBUF). Linux doubles the request and caps it at
     * sysctl net.core.wmem_max first; {@link #sendBufferSize()} says what it became.
     *
     * @param bytes the size asked for, at least 1
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void setSendBufferSize(int bytes) throws IOException {
        setIntOption(SocketCalls.SO_SNDBUF, "SO_SNDBUF", bytes, "net.core.wmem_max");
    }

    /**
     * The kernel's receive buffer for this socket, in bytes (SO_RCVBUF).
     *
     * @return the size getsockopt(2) reports: twice what was asked, on Linux
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int receiveBufferSize() throws IOException {
        return intOption(SocketCalls.SO_RCVBUF, "SO_RCVBUF");
    }

    /**
     * Asks for a receive buffer of {@code bytes} (setsockopt SO_RCVBUF). Linux doubles the request and caps it at
     * sysctl net.core.rmem_max first. (A Unix datagram socket queues at most net.unix.max_dgram_qlen datagrams,
     * whatever its buffer.)
     *
     * @param bytes the size asked for, at least 1
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void setReceiveBufferSize(int bytes) throws IOException {
        setIntOption(SocketCalls.SO_RCVBUF, "SO_RCVBUF", bytes, "net.core.rmem_max");
    }

    private int intOption(int option, String name) throws IOException {
        int fd = handle.begin();
        try {
            return Failures.check(SocketCalls.getIntOption(fd, SocketCalls.SOL_SOCKET, option),
                    "getsockopt(" + name + ")", description);
        } finally {
            handle.end();
        }
    }

    private void setIntOption(int option, String name, int bytes, String cap) throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException(name + " of " + bytes + " bytes: ask for 1 or more (Linux raises "
                    + "small requests to its minimum and caps large ones at " + cap + ")");
        }
        int fd = handle.begin();
        try {
            Failures.check(SocketCalls.setIntOption(fd, SocketCalls.SOL_SOCKET, option, bytes),
                    "setsockopt(" + name + ")", description);
        } finally {
            handle.end();
        }
    }

    // ---------------------------------------------------------------- identity

    /**
     * The endpoint this socket is bound to; for an unbound Unix socket, empty.
     *
     * @return the endpoint this socket is bound to
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<Endpoint> localEndpoint() throws IOException {
        return endpoint("getsockname", SocketCalls::getsockname);
    }

    /**
     * The endpoint of the connected peer (a TCP client's address and port; a Unix peer's path, or empty when
     * the peer is unbound, as clients usually are).
     *
     * @return the endpoint of the connected peer
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<Endpoint> remoteEndpoint() throws IOException {
        return endpoint("getpeername", SocketCalls::getpeername);
    }

    /** getsockname(2) or getpeername(2): fills a sockaddr, returns its length or -errno. */
    private interface NameCall {
        int call(int fd, MemorySegment address);
    }

    private Optional<Endpoint> endpoint(String call, NameCall nameCall) throws IOException {
        int fd = handle.begin();
        try (Arena local = Arena.ofConfined()) {
            MemorySegment address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int length = nameCall.call(fd, address);
            if (length < 0) {
                throw Failures.of(call, description, -length);
            }
            return Optional.ofNullable(Addresses.decode(address, length));
        } finally {
            handle.end();
        }
    }

    /**
     * The peer's pid, uid and gid as the kernel recorded them at connect (SO_PEERCRED). For connected Unix
     * domain sockets (and socket pairs) only.
     *
     * @return the peer's pid, uid and gid as the kernel recorded them at connect
     * @throws UnsupportedOperationException on a TCP or UDP socket.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PeerCredentials peerCredentials() throws IOException {
        requireUnix("peer credentials");
        int fd = handle.begin();
        try {
            PeerCredentials peer = PeerCredentials.read(fd, description);
            if (peer.pid() == 0) {
                throw new IOException("getsockopt(SO_PEERCRED) on " + description + ": there is no peer: the"
                        + " socket is not connected");
            }
            return peer;
        } finally {
            handle.end();
        }
    }

    /**
     * The peer process as a pidfd (SO_PEERPIDFD), which stays bound to that process even if its pid is
     * reused. Empty on kernels before Linux 6.5, which lack SO_PEERPIDFD.
     *
     * @return the peer process as a pidfd
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<PeerProcess> peerProcess() throws IOException {
        requireUnix("a peer pidfd");
        int pid = peerCredentials().pid();
        int fd = handle.begin();
        try {
            int pidfd = SocketCalls.getIntOption(fd, SocketCalls.SOL_SOCKET, SocketCalls.SO_PEERPIDFD);
            if (pidfd == -Errno.ENOPROTOOPT) {
                return Optional.empty();
            }
            if (pidfd < 0) {
                throw Failures.of("getsockopt(SO_PEERPIDFD)", description, -pidfd);
            }
            return Optional.of(new PeerProcess(pidfd, pid));
        } finally {
            handle.end();
        }
    }

    private void requireUnix(String what) {
        if (family != SocketCalls.AF_UNIX) {
            throw new UnsupportedOperationException(what + " exist for Unix domain sockets only, not " + description);
        }
    }

    // ---------------------------------------------------------------- descriptor passing

    /**
     * Sends {@code data} (at least one byte) together with duplicates of {@code descriptors} (SCM_RIGHTS):
     * the receiver gets descriptors for the same open files, pipes or sockets, with the same offsets and
     * flags. Waits as long as it takes for room. The descriptors stay open here.
     *
     * @param data the data
     * @param descriptors the descriptors to pass
     * @throws IllegalArgumentException for no data, no descriptors, or more than {@value #MAX_DESCRIPTORS}.
     * @throws ClosedChannelException naming the position of a descriptor that is already closed.
     */
    public void sendDescriptors(ByteBuffer data, NativeDescriptor... descriptors) throws IOException {
        sendDescriptors(data, null, descriptors);
    }

    /**
     * As {@link #sendDescriptors(ByteBuffer, NativeDescriptor...)}, waiting at most {@code timeout}.
     *
     * @param data the data
     * @param timeout the longest this call waits
     * @param descriptors the descriptors to pass
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void sendDescriptors(ByteBuffer data, Duration timeout, NativeDescriptor... descriptors)
            throws IOException {
        requireUnix("descriptor passing");
        if (!data.hasRemaining()) {
            throw new IllegalArgumentException("send at least one byte of data with the descriptors: a message"
                    + " with descriptors and no data may not arrive on stream sockets");
        }
        if (descriptors.length == 0 || descriptors.length > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("send 1 to " + MAX_DESCRIPTORS + " descriptors, not " + descriptors.length);
        }
        int[] fds = new int[descriptors.length];
        for (int i = 0; i < descriptors.length; i++) {
            try {
                fds[i] = descriptors[i].fd();
            } catch (ClosedChannelException e) {
                ClosedChannelException c = new ClosedChannelException();
                c.initCause(new IOException("descriptor " + (i + 1) + " of " + descriptors.length + " ("
                        + descriptors[i] + ") is closed: nothing was sent"));
                throw c;
            }
        }
        Deadline deadline = Deadline.afterOrForever(timeout);
        sendLock.lock();
        int fd = handle.begin();
        try {
            int n = data.remaining();
            MemorySegment source = stageForSend(data, n);
            MemorySegment message = sendMessageHeader();
            MemorySegment iov = message.asSlice(IOV_AT, SocketCalls.IOVEC.byteSize());
            MemorySegment control = message.asSlice(CONTROL_AT, CONTROL_BYTES);
            iov.set(ADDRESS, SocketCalls.IOV_BASE, source);
            iov.set(JAVA_LONG, SocketCalls.IOV_LEN, n);
            control.set(JAVA_LONG, SocketCalls.CMSG_LENGTH, SocketCalls.CMSG_HEADER + 4L * fds.length);
            control.set(JAVA_INT, SocketCalls.CMSG_LEVEL, SocketCalls.SOL_SOCKET);
            control.set(JAVA_INT, SocketCalls.CMSG_TYPE, SocketCalls.SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.set(JAVA_INT, SocketCalls.CMSG_HEADER + 4L * i, fds[i]);
            }
            message.asSlice(0, SocketCalls.MSGHDR.byteSize()).fill((byte) 0);
            message.set(ADDRESS, SocketCalls.MSG_IOV, iov);
            message.set(JAVA_LONG, SocketCalls.MSG_IOVLEN, 1);
            message.set(ADDRESS, SocketCalls.MSG_CONTROL, control);
            message.set(JAVA_LONG, SocketCalls.MSG_CONTROLLEN,
                    SocketCalls.CMSG_HEADER + cmsgAlign(4L * fds.length));
            long sent;
            while ((sent = SocketCalls.sendmsg(fd, message)) == -Errno.EAGAIN) {
                if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                    throw new IpcTimeoutException("sendmsg(" + description + ")", timeout, 0);
                }
            }
            if (sent < 0) {
                throw Failures.of("sendmsg(SCM_RIGHTS)", description, (int) -sent, -sent == Errno.EBADF
                        ? "one of the descriptors is not open" : null);
            }
            data.position(data.position() + (int) sent);
            if (sent < n) { // the descriptors went with the first part; the rest is plain data
                sendRemaining(fd, data, deadline);
            }
        } finally {
            handle.end();
            sendLock.unlock();
        }
    }

    /** For stream sockets, the bytes sendmsg did not take: overridden where that can happen. */
    void sendRemaining(int fd, ByteBuffer data, Deadline deadline) throws IOException {
        throw new IOException("sendmsg(" + description + ") sent part of a message");
    }

    /**
     * Receives data into {@code dst} and the descriptors sent with it, waiting at most {@code timeout}. The
     * descriptors arrive close-on-exec and are the caller's to close.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return what arrived; {@code bytes} is -1 at end of stream.
     * @throws DescriptorsLostException if the kernel dropped descriptors (MSG_CTRUNC), for example because
     *                                  this process reached its descriptor limit; it carries those that came.
     */
    public ReceivedDescriptors receiveDescriptors(ByteBuffer dst, Duration timeout) throws IOException {
        requireUnix("descriptor passing");
        Deadline deadline = Deadline.after(timeout);
        receiveLock.lock();
        int fd = handle.begin();
        try {
            int room = dst.remaining();
            MemorySegment target = stageForReceive(dst, room);
            MemorySegment message = receiveMessageHeader();
            MemorySegment iov = message.asSlice(IOV_AT, SocketCalls.IOVEC.byteSize());
            MemorySegment control = message.asSlice(CONTROL_AT, CONTROL_BYTES);
            long n;
            do {
                message.asSlice(0, SocketCalls.MSGHDR.byteSize()).fill((byte) 0);
                iov.set(ADDRESS, SocketCalls.IOV_BASE, target);
                iov.set(JAVA_LONG, SocketCalls.IOV_LEN, room);
                message.set(ADDRESS, SocketCalls.MSG_IOV, iov);
                message.set(JAVA_LONG, SocketCalls.MSG_IOVLEN, 1);
                message.set(ADDRESS, SocketCalls.MSG_CONTROL, control);
                message.set(JAVA_LONG, SocketCalls.MSG_CONTROLLEN, CONTROL_BYTES);
                n = SocketCalls.recvmsg(fd, message, SocketCalls.MSG_CMSG_CLOEXEC | SocketCalls.MSG_DONTWAIT);
                if (n == -Errno.EAGAIN && handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("recvmsg(" + description + ")", timeout, 0);
                }
            } while (n == -Errno.EAGAIN);
            if (n < 0) {
                throw Failures.of("recvmsg", description, (int) -n);
            }
            List<PassedDescriptor> received = collectDescriptors(message, control);
            if (n > 0) {
                unstage(dst, (int) n);
            }
            int flags = message.get(JAVA_INT, SocketCalls.MSG_FLAGS);
            ReceivedDescriptors result = new ReceivedDescriptors(n == 0 && received.isEmpty() ? -1 : (int) n,
                    received);
            if ((flags & SocketCalls.MSG_CTRUNC) != 0) {
                throw new DescriptorsLostException(description, result);
            }
            return result;
        } finally {
            handle.end();
            receiveLock.unlock();
        }
    }

    private static List<PassedDescriptor> collectDescriptors(MemorySegment message, MemorySegment control) {
        long length = message.get(JAVA_LONG, SocketCalls.MSG_CONTROLLEN);
        List<PassedDescriptor> out = new ArrayList<>();
        long at = 0;
        while (at + SocketCalls.CMSG_HEADER <= length) {
            long cmsgLength = control.get(JAVA_LONG, at + SocketCalls.CMSG_LENGTH);
            if (cmsgLength < SocketCalls.CMSG_HEADER) {
                break;
            }
            if (control.get(JAVA_INT, at + SocketCalls.CMSG_LEVEL) == SocketCalls.SOL_SOCKET
                    && control.get(JAVA_INT, at + SocketCalls.CMSG_TYPE) == SocketCalls.SCM_RIGHTS) {
                long count = (cmsgLength - SocketCalls.CMSG_HEADER) / 4;
                for (long i = 0; i < count; i++) {
                    out.add(new PassedDescriptor(control.get(JAVA_INT, at + SocketCalls.CMSG_HEADER + 4 * i)));
                }
            }
            at += cmsgAlign(cmsgLength);
        }
        return out;
    }

    /** CMSG_ALIGN: control messages are padded to the size of cmsg_len (a size_t). */
    private static long cmsgAlign(long length) {
        long align = JAVA_LONG.byteSize();
        return (length + align - 1) & -align;
    }

    // ---------------------------------------------------------------- shared data paths

    private MemorySegment sendMessageHeader() {
        if (sendMessage == null) {
            sendMessage = arena.allocate(MESSAGE_BLOCK);
        }
        return sendMessage;
    }

    private MemorySegment receiveMessageHeader() {
        if (receiveMessage == null) {
            receiveMessage = arena.allocate(MESSAGE_BLOCK);
        }
        return receiveMessage;
    }

    /**
     * Native memory holding {@code n} bytes of {@code src} from its position (the buffer itself when direct,
     * else a copy). Call with sendLock held; does not move the position.
     */
    MemorySegment stageForSend(ByteBuffer src, int n) {
        if (src.isDirect()) {
            return sources.remaining(src);
        }
        Scratch scratch = Scratch.forSend();
        MemorySegment staged = scratch.atLeast(n);
        scratch.view().put(0, src, src.position(), n);
        return staged;
    }

    /**
     * Copies what {@code srcs[offset, offset + length)} hold, in order, into the send scratch: at most
     * {@link #SCRATCH_BYTES}. Returns the byte count; positions are not moved. Call with sendLock held.
     */
    long gatherForSend(ByteBuffer[] srcs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length && total < SCRATCH_BYTES; i++) {
            total += srcs[i].remaining();
        }
        Scratch scratch = Scratch.forSend();
        scratch.atLeast((int) Math.min(total, SCRATCH_BYTES));
        int filled = 0;
        for (int i = offset; i < offset + length && filled < SCRATCH_BYTES; i++) {
            int n = Math.min(srcs[i].remaining(), SCRATCH_BYTES - filled);
            scratch.view().put(filled, srcs[i], srcs[i].position(), n);
            filled += n;
        }
        return filled;
    }

    /** What {@link #gatherForSend} filled, on the same thread. */
    MemorySegment sendScratch() {
        return Scratch.forSend().segment();
    }

    /** Moves the positions of {@code srcs[offset...]} past {@code sent} bytes. */
    static void advance(ByteBuffer[] srcs, int offset, long sent) {
        for (int i = offset; sent > 0; i++) {
            int n = (int) Math.min(srcs[i].remaining(), sent);
            srcs[i].position(srcs[i].position() + n);
            sent -= n;
        }
    }

    /** Native memory to receive up to {@code n} bytes for {@code dst}. Call with receiveLock held. */
    MemorySegment stageForReceive(ByteBuffer dst, int n) {
        if (dst.isDirect()) {
            return targets.remaining(dst);
        }
        return Scratch.forReceive().atLeast(n);
    }

    /**
     * Completes a receive into what {@link #stageForReceive} gave: copies from the scratch for heap buffers, and
     * advances the position by {@code n}. Call with receiveLock held.
     */
    void unstage(ByteBuffer dst, int n) {
        if (!dst.isDirect()) {
            dst.put(dst.position(), Scratch.forReceive().view(), 0, n);
        }
        dst.position(dst.position() + n);
    }

    /**
     * Sends one whole message (datagram or seqpacket) to {@code address} (NULL: the connected peer).
     * Call with sendLock held and the handle begun.
     */
    void sendMessage(int fd, ByteBuffer src, MemorySegment address, int addressLength, Deadline deadline, Object destination) throws IOException {
        int n = src.remaining();
        MemorySegment source = stageForSend(src, n);
        Backoff backoff = null;
        boolean direct = address.equals(MemorySegment.NULL) && handle.mayBlockDirectly(deadline);
        while (true) {
            long sent = direct ? handle.callBlocking(SocketCalls::sendInterruptibly, source, n, this)
                    : SocketCalls.sendto(fd, source, n, address, addressLength);
            if (sent >= 0) {
                src.position(src.position() + (int) sent);
                return;
            }
            if (sent != -Errno.EAGAIN && sent != -Errno.ENOBUFS) {
                throw Failures.of("sendto", destination == null ? description : description + " to " + destination,
                        (int) -sent, sendAdvice((int) -sent, n));
            }
            direct = false; // ENOBUFS, or made non-blocking by another holder: wait the general way
            if (deadline.isNow()) {
                throw new IpcTimeoutException("send(" + description + "): the receiver's queue is full",
                        Duration.ZERO, 0);
            }
            // An unconnected datagram socket polls writable even when the receiver's queue is full, so after a
            // wait that changed nothing, back off instead of spinning.
            if (backoff == null) {
                backoff = new Backoff();
                if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                    throw new IpcTimeoutException("send(" + description + ")", deadline.timeout(), 0);
                }
            } else if (!backoff.idle(deadline)) {
                throw new IpcTimeoutException("send(" + description + ")", deadline.timeout(), 0);
            }
            if (!handle.isOpen()) {
                throw new java.nio.channels.AsynchronousCloseException();
            }
        }
    }

    private String sendAdvice(int errno, int n) {
        return switch (errno) {
            case Errno.EMSGSIZE -> "a " + n + "-byte message is larger than this socket can send at once"
                    + " (Unix datagrams: the send buffer, SO_SNDBUF; UDP: 65507 bytes)";
            case Errno.ECONNREFUSED -> "no socket is bound at the destination, or it was closed";
            case Errno.ENOENT -> "there is no socket file at the destination";
            case Errno.EDESTADDRREQ, Errno.ENOTCONN -> "this socket is not connected: use sendTo";
            default -> null;
        };
    }

    /** What {@link #receiveMessage} returns when asked not to wait and nothing is queued. */
    static final int NOTHING_QUEUED = -2;

    /**
     * Receives one whole message into {@code dst}: its length, -1 at end of stream (seqpacket), or
     * {@link #NOTHING_QUEUED} when {@code deadline} is {@link Deadline#NOW} and nothing is queued. A message
     * too long for {@code dst} is kept, by the kernel or by this socket (see {@link SpillReceiver}), for the next
     * receive. Call with receiveLock held and the handle begun; {@code from}/{@code fromLength} may be NULL.
     */
    int receiveMessage(int fd, ByteBuffer dst, Deadline deadline, MemorySegment from,
                       MemorySegment fromLength) throws IOException {
        int room = dst.remaining();
        if (spillReceiver != null && spillReceiver.holdsMessage()) {
            return spillReceiver.takeKept(dst, from, fromLength, description);
        }
        // a buffer no message can overflow needs no spill area: then one recvfrom
        SpillReceiver receiver = room >= longestMessage() ? null : spillReceiver();
        MemorySegment target = stageForReceive(dst, room);
        boolean direct = handle.mayBlockDirectly(deadline);
        try {
            while (true) {
                long n = receiver == null ? receiveInto(fd, target, room, direct, from, fromLength)
                        : receiveSpilling(fd, receiver.header(target, room, from), direct);
                if (n == -Errno.EAGAIN) {
                    direct = false; // made non-blocking by another holder: wait the general way
                    if (!awaitMessage(deadline)) {
                        return NOTHING_QUEUED;
                    }
                    continue;
                }
                if (n < 0) {
                    throw Failures.of(receiver == null ? "recvfrom" : "recvmsg", description, (int) -n);
                }
                if (receiver != null) {
                    receiver.tellSource(fromLength);
                    if (n > room) {
                        receiver.keep(target, room, n, description);
                    }
                }
                if (n == 0 && isEndOfStream(fd)) {
                    return -1;
                }
                unstage(dst, (int) n);
                return (int) n;
            }
        } finally {
            Reference.reachabilityFence(receiver); // its spill area is unmapped once unreachable
        }
    }

    /** One recvfrom into {@code room} bytes of {@code target}: blocking if {@code direct}, else never waiting. */
    private long receiveInto(int fd, MemorySegment target, int room, boolean direct, MemorySegment from,
                             MemorySegment fromLength) throws IOException {
        return direct ? handle.callBlocking((f, buffer, length) -> SocketCalls.receiveFromInterruptibly(f, buffer,
                length, from, fromLength), target, room, this)
                : SocketCalls.recvfrom(fd, target, room, SocketCalls.MSG_DONTWAIT, from, fromLength);
    }

    /** One recvmsg of {@code header} (the buffer, then the spill area): the message's whole length, or -errno. */
    private long receiveSpilling(int fd, MemorySegment header, boolean direct) throws IOException {
        return direct ? handle.callBlocking(SocketCalls::receiveMessageInterruptibly, header, 0, this)
                : SocketCalls.recvmsg(fd, header, SocketCalls.MSG_TRUNC | SocketCalls.MSG_DONTWAIT);
    }

    /** This socket's {@link SpillReceiver}, made at its first receive into a buffer a message could overflow. */
    private SpillReceiver spillReceiver() throws IOException {
        if (spillReceiver == null) {
            spillReceiver = SpillReceiver.create(arena, longestMessage(), description);
        }
        return spillReceiver;
    }

    /**
     * The longest message this socket can receive where its protocol bounds it: a buffer at least that long
     * cannot cut a message, so its receive needs no spill area behind the buffer (see {@link SpillReceiver}). None
     * here: a Unix socket's messages are bounded only by their sender's buffer, which a privileged sender may
     * raise without limit (SO_SNDBUFFORCE).
     */
    int longestMessage() {
        return Integer.MAX_VALUE;
    }

    /**
     * Waits, when nothing was queued, until a message may be: false at once for {@link Deadline#NOW} (the
     * caller answers {@link #NOTHING_QUEUED}), true once the socket is readable.
     *
     * @throws IpcTimeoutException if the deadline passes first.
     */
    private boolean awaitMessage(Deadline deadline) throws IOException {
        if (deadline.isNow()) {
            return false;
        }
        if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
            throw new IpcTimeoutException("receive(" + description + ")", deadline.timeout(), 0);
        }
        return true;
    }

    /** Whether a zero-length read means the peer is gone (seqpacket), not an empty datagram. */
    boolean isEndOfStream(int fd) {
        return false;
    }

    /**
     * Stops sending: the peer reads end of stream once it has read what was sent (shutdown SHUT_WR).
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void shutdownOutput() throws IOException {
        shutdown(SocketCalls.SHUT_WR);
    }

    /**
     * Stops receiving (shutdown SHUT_RD): reads return end of stream at once, and on a Unix stream socket the
     * peer's sends fail with EPIPE from now on (a client that has gone deaf, without the peer seeing end of stream).
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void shutdownInput() throws IOException {
        shutdown(SocketCalls.SHUT_RD);
    }

    /** shutdown(2) with {@code how}; a socket that is not connected (any more) is left as it is. */
    private void shutdown(int how) throws IOException {
        int fd = handle.begin();
        try {
            int r = SocketCalls.shutdown(fd, how);
            if (r < 0 && r != -Errno.ENOTCONN) {
                throw Failures.of("shutdown", description, -r);
            }
        } finally {
            handle.end();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
