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

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writing end of an anonymous pipe or a FIFO.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Atomicity: a write of at most {@link Pipe#ATOMIC_WRITE_BYTES} (PIPE_BUF, 4096 on Linux) bytes reaches
 * the pipe in one piece, never interleaved with other writers' data, even from other processes. Larger
 * writes may interleave.</li>
 * <li>Completeness: {@link #write(ByteBuffer)} and the {@link Duration} forms write everything (short writes
 * are continued inside); on a timeout the buffer's position shows what was written, and
 * {@link IpcTimeoutException#bytesTransferred} says how much.</li>
 * <li>Dead reader: once no reader is left, a write throws {@link io.ipc4j.PeerClosedException} (EPIPE);
 * SIGPIPE never kills the JVM.</li>
 * <li>Thread-safe: writes are serialised (one writer thread at a time), so one write call is never split
 * by another thread of this process. A platform thread waits in write(2) itself when there is no timeout and
 * the end came from {@link Pipe#open()} or {@link Fifo} (a close or an interrupt from another thread still ends
 * it), otherwise in poll(2); a virtual thread parks and leaves its carrier free. Use {@link #writeNow} to avoid
 * waiting.</li>
 * </ul>
 */
public final class PipeWriter implements WritableByteChannel, NativeDescriptor {
    static {
        Handles.register(PipeWriter.class, writer -> writer.handle);
    }

    private static final int SCRATCH_BYTES = 64 * 1024;

    private final FdHandle handle;
    private final String description;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Segments over the buffers this end writes from (under {@link #writeLock}). */
    private final BufferSegments sources = new BufferSegments();
    private MemorySegment scratch;

    PipeWriter(int fd, String description) {
        this(fd, description, false);
    }

    /** @param blocking whether the descriptor is in blocking mode (a pipe from {@link Pipe#open()}). */
    PipeWriter(int fd, String description, boolean blocking) {
        this.handle = new FdHandle(this, fd, blocking);
        this.description = description;
    }

    /**
     * Adopts a pipe or FIFO writing end this process inherited, e.g. {@code fromInherited(4)} in a child
     * started with {@code Spawn.inherit(writer, 4)}. Makes it close-on-exec; a pipe in blocking mode
     * stays so (its other holders may rely on that; calls that must not wait say so per call), anything else is
     * made non-blocking.
     *
     * @param fd the descriptor number
     * @return the {@code PipeWriter}
     * @throws IOException if {@code fd} is not open or is not a pipe or FIFO.
     */
    public static PipeWriter fromInherited(int fd) throws IOException {
        boolean blocking = Pipes.adopt(fd, "inherited pipe");
        return new PipeWriter(fd, "inherited pipe writer fd " + fd, blocking);
    }

    /** Writes all of {@code src}, waiting as long as it takes; returns the bytes written. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        int before = src.position();
        write(src, Deadline.FOREVER);
        return src.position() - before;
    }

    /**
     * Writes all of {@code src}, waiting at most {@code timeout} in all.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param timeout the longest this call waits
     * @throws IpcTimeoutException with what was written when the deadline passes first.
     */
    public void write(ByteBuffer src, Duration timeout) throws IOException {
        write(src, Deadline.after(timeout));
    }

    /**
     * Writes {@code b[off, off + len)} completely, waiting at most {@code timeout} in all.
     *
     * @param b the bytes
     * @param off where in {@code b} they start
     * @param len how many bytes
     * @param timeout the longest this call waits
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void write(byte[] b, int off, int len, Duration timeout) throws IOException {
        write(ByteBuffer.wrap(b, off, len), timeout);
    }

    /**
     * Writes all of {@code b}, waiting as long as it takes.
     *
     * @param b the bytes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void write(byte[] b) throws IOException {
        write(ByteBuffer.wrap(b));
    }

    /**
     * Writes what fits now without waiting; returns the bytes written (0 if the pipe is full).
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @return the bytes written (0 if the pipe is full)
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int writeNow(ByteBuffer src) throws IOException {
        int before = src.position();
        write(src, Deadline.NOW);
        return src.position() - before;
    }

    /**
     * Writes {@code src[offset, offset + length)} from native memory without copying, all of it.
     *
     * @param src the bytes to send, from the buffer's position up to its limit
     * @param offset the byte offset
     * @param length the length in bytes
     * @param timeout the longest this call waits
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void write(MemorySegment src, long offset, long length, Duration timeout) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.byteSize());
        writeLock.lock();
        try {
            writeSegment(src.asSlice(offset, length), length, Deadline.after(timeout), 0);
        } finally {
            writeLock.unlock();
        }
    }

    private void write(ByteBuffer src, Deadline deadline) throws IOException {
        writeLock.lock();
        try {
            if (src.isDirect()) {
                int start = src.position();
                try {
                    long n = writeSegment(sources.remaining(src), src.remaining(), deadline, 0);
                    src.position(start + (int) n);
                } catch (IpcTimeoutException e) {
                    src.position(start + e.bytesTransferred);
                    throw e;
                }
                return;
            }
            MemorySegment buffer = scratch();
            long before = src.position();
            while (src.hasRemaining()) {
                int chunk = Math.min(src.remaining(), SCRATCH_BYTES);
                MemorySegment.copy(sources.whole(src), src.position(), buffer, 0, chunk);
                long n;
                try {
                    n = writeSegment(buffer, chunk, deadline, src.position() - before);
                } catch (IpcTimeoutException e) {
                    src.position((int) (before + e.bytesTransferred));
                    throw e;
                }
                src.position(src.position() + (int) n);
                if (n < chunk) {
                    return;
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes {@code length} bytes (fewer only with {@link Deadline#NOW}); {@code already} is what the
     * caller wrote before, for the timeout's count.
     */
    private long writeSegment(MemorySegment src, long length, Deadline deadline, long already)
            throws IOException {
        handle.begin();
        try {
            long done = 0;
            boolean direct = handle.mayBlockDirectly(deadline);
            while (done < length) {
                MemorySegment rest = done == 0 ? src : src.asSlice(done);
                long n = handle.transfer(true, direct, rest, length - done, this);
                if (n >= 0) {
                    done += n;
                    continue;
                }
                if (n != -Errno.EAGAIN) {
                    throw Failures.of("write", description, (int) -n);
                }
                direct = false; // made non-blocking by another holder of the pipe: wait the general way
                if (deadline.isNow()) {
                    break;
                }
                if (handle.awaitReady(FileCalls.POLLOUT, deadline, this) == 0) {
                    throw new IpcTimeoutException("write(" + description + ")", deadline.timeout(), already + done);
                }
            }
            return done;
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
     * This end as an OutputStream (unbuffered: each write is one or more write(2) calls).
     *
     * @return this end as an OutputStream
     */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                PipeWriter.this.write(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                PipeWriter.this.write(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() {
                PipeWriter.this.close();
            }
        };
    }

    @Override
    public int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /** Closes this end; harmless if already closed. Readers see end of stream once every writer is closed. */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
