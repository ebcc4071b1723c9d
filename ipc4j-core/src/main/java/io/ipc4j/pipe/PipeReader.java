package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FileCalls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reading end of an anonymous pipe or a FIFO.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Thread-safe: reads are serialised (one reader at a time); {@link #close()} may be called from any
 * thread, and a read blocked in another thread then ends with
 * {@link java.nio.channels.AsynchronousCloseException} within 200 ms.</li>
 * <li>End of stream: every read returns -1 once all writers have closed (or died: the kernel closes a killed
 * process's descriptors) and the pipe is empty.</li>
 * <li>Blocking: the forms without a timeout wait as long as it takes; the {@link Duration} forms throw
 * {@link IpcTimeoutException}; {@link #readNow} never waits. A platform thread waits in read(2) itself when
 * there is no timeout and the end came from {@link Pipe#open()} or {@link Fifo} (a close or an interrupt from
 * another thread then ends the wait at once, with a signal, as the JDK's blocking channels do), otherwise in
 * poll(2); a virtual thread parks and leaves its carrier free, and a close from another thread wakes it at
 * once. To wait on several objects at once, register them with an {@link io.ipc4j.event.EventLoop}.</li>
 * <li>The descriptor is close-on-exec (and, for an inherited end, non-blocking); it reaches a child
 * only when passed explicitly
 * ({@link io.ipc4j.process.Spawn#inherit}).</li>
 * </ul>
 */
public final class PipeReader implements ReadableByteChannel, NativeDescriptor {
    static {
        Handles.register(PipeReader.class, reader -> reader.handle);
    }

    private static final int SCRATCH_BYTES = 64 * 1024;

    private final FdHandle handle;
    private final String description;
    private final ReentrantLock readLock = new ReentrantLock();
    /** Segments over the buffers this end reads into (under {@link #readLock}). */
    private final BufferSegments targets = new BufferSegments();
    private MemorySegment scratch;

    PipeReader(int fd, String description) {
        this(fd, description, false);
    }

    /** @param blocking whether the descriptor is in blocking mode (a pipe from {@link Pipe#open()}). */
    PipeReader(int fd, String description, boolean blocking) {
        this.handle = new FdHandle(this, fd, blocking);
        this.description = description;
    }

    /**
     * Adopts a pipe or FIFO reading end this process inherited, e.g. {@code fromInherited(3)} in a child
     * started with {@code Spawn.inherit(reader, 3)}. Makes it close-on-exec; a pipe in blocking mode
     * stays so (its other holders may rely on that; calls that must not wait say so per call), anything else is
     * made non-blocking.
     *
     * @param fd the descriptor number
     * @return the {@code PipeReader}
     * @throws IOException if {@code fd} is not open or is not a pipe or FIFO.
     */
    public static PipeReader fromInherited(int fd) throws IOException {
        boolean blocking = Pipes.adopt(fd, "inherited pipe");
        return new PipeReader(fd, "inherited pipe reader fd " + fd, blocking);
    }

    /** Reads at least one byte, waiting as long as it takes; -1 at end of stream. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, Deadline.FOREVER);
    }

    /**
     * Reads at least one byte into {@code dst}, waiting at most {@code timeout}.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @return bytes read, or -1 at end of stream.
     * @throws IpcTimeoutException if nothing arrived in time.
     */
    public int read(ByteBuffer dst, Duration timeout) throws IOException {
        return read(dst, Deadline.after(timeout));
    }

    /**
     * Reads what is there now without waiting: bytes read, 0 if the pipe is empty, -1 at end of stream.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @return bytes read, 0 if the pipe is empty, -1 at end of stream
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int readNow(ByteBuffer dst) throws IOException {
        return read(dst, Deadline.NOW);
    }

    /**
     * Reads at least one byte into {@code b[off, off + len)}, waiting at most {@code timeout}.
     *
     * @param b the bytes
     * @param off where in {@code b} they start
     * @param len how many bytes
     * @param timeout the longest this call waits
     * @return bytes read, or -1 at end of stream.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int read(byte[] b, int off, int len, Duration timeout) throws IOException {
        return read(ByteBuffer.wrap(b, off, len), timeout);
    }

    /**
     * Fills {@code dst} completely, waiting at most {@code timeout} in all.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param timeout the longest this call waits
     * @throws EOFException if the stream ends first (what arrived is in {@code dst}).
     * @throws IpcTimeoutException if the deadline passes first.
     */
    public void readFully(ByteBuffer dst, Duration timeout) throws IOException {
        readFully(dst, Deadline.after(timeout));
    }

    /**
     * Fills {@code dst} completely, waiting as long as it takes.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @throws EOFException if the stream ends first (what arrived is in {@code dst}).
     */
    public void readFully(ByteBuffer dst) throws IOException {
        readFully(dst, Deadline.FOREVER);
    }

    private void readFully(ByteBuffer dst, Deadline deadline) throws IOException {
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (read(dst, deadline) < 0) {
                throw new EOFException(description + ": end of stream after " + (dst.position() - start)
                        + " of " + (dst.limit() - start) + " bytes");
            }
        }
    }

    /**
     * Reads into native memory without copying: at least one byte, at most {@code length}.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param offset the byte offset
     * @param length the length in bytes
     * @param timeout the longest this call waits
     * @return bytes read, or -1 at end of stream.
     * @throws IpcTimeoutException if nothing arrived in time.
     */
    public long read(MemorySegment dst, long offset, long length, Duration timeout) throws IOException {
        Objects.checkFromIndexSize(offset, length, dst.byteSize());
        Deadline deadline = Deadline.after(timeout);
        readLock.lock();
        try {
            return readSegment(dst.asSlice(offset, length), length, deadline);
        } finally {
            readLock.unlock();
        }
    }

    private int read(ByteBuffer dst, Deadline deadline) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        readLock.lock();
        try {
            if (dst.isDirect()) {
                int n = (int) readSegment(targets.remaining(dst), dst.remaining(), deadline);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
            MemorySegment buffer = scratch();
            int n = (int) readSegment(buffer, Math.min(dst.remaining(), SCRATCH_BYTES), deadline);
            if (n > 0) {
                MemorySegment.copy(buffer, 0, targets.whole(dst), dst.position(), n);
                dst.position(dst.position() + n);
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    private long readSegment(MemorySegment dst, long length, Deadline deadline) throws IOException {
        handle.begin();
        try {
            boolean direct = handle.mayBlockDirectly(deadline);
            while (true) {
                long n = handle.transfer(false, direct, dst, length, this);
                if (n > 0) {
                    return n;
                }
                if (n == 0) {
                    return -1;
                }
                if (n != -Errno.EAGAIN) {
                    throw Failures.of("read", description, (int) -n);
                }
                direct = false; // made non-blocking by another holder of the pipe: wait the general way
                if (deadline.isNow()) {
                    return 0;
                }
                if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("read(" + description + ")", deadline.timeout(), 0);
                }
            }
        } finally {
            handle.end();
        }
    }

    private MemorySegment scratch() {
        if (scratch == null) {
            scratch = Arena.ofAuto().allocate(SCRATCH_BYTES);
        }
        return scratch;
    }

    /**
     * This end as an InputStream whose reads wait as long as it takes; closing the stream closes this end.
     *
     * @return this end as an InputStream whose reads wait as long as it takes
     */
    public InputStream inputStream() {
        return new PipeInputStream(this, null);
    }

    /**
     * This end as an InputStream whose every read waits at most {@code timeoutPerRead}, then throws
     * {@link IpcTimeoutException}; closing the stream closes this end.
     *
     * @param timeoutPerRead the longest each read waits
     * @return this end as an InputStream whose every read waits at most {@code timeoutPerRead}, then throws {@link IpcTimeoutException}
     */
    public InputStream inputStream(Duration timeoutPerRead) {
        return new PipeInputStream(this, Objects.requireNonNull(timeoutPerRead));
    }

    @Override
    public int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /** Closes this end; harmless if already closed. Writers see EPIPE once every reader is closed. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return description;
    }

    private static final class PipeInputStream extends InputStream {
        private final PipeReader reader;
        private final Duration timeout;

        PipeInputStream(PipeReader reader, Duration timeout) {
            this.reader = reader;
            this.timeout = timeout;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            return timeout == null ? reader.read(buffer) : reader.read(buffer, timeout);
        }

        @Override
        public int available() throws IOException {
            return 0;
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
