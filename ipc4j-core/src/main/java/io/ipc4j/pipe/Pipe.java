package io.ipc4j.pipe;

import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;

import java.io.IOException;

/**
 * An anonymous pipe: a one-way byte stream from {@link #writer()} to {@link #reader()}, inside this process
 * or, by handing an end to a child ({@link io.ipc4j.process.Spawn#inherit}), between processes.
 *
 * <pre>{@code
 * try (Pipe pipe = Pipe.open();
 *      ChildProcess child = Spawn.command("wc", "-c").stdin(pipe.reader()).start()) {
 *     pipe.reader().close();          // the child has its copy; keep ours open and wc never sees EOF
 *     pipe.writer().write("hello".getBytes());
 *     pipe.writer().close();          // EOF for wc
 *     child.waitFor(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Both ends are close-on-exec and in blocking mode: a platform thread's call without a timeout blocks in
 * read(2) or write(2) as a C program's would, calls with a timeout wait in poll(2), and calls that must not wait
 * say so per call (RWF_NOWAIT; on a kernel without it for pipes, the ends are non-blocking and every wait is in
 * poll(2)). Closing the pipe closes whichever ends are still open.
 */
public final class Pipe implements AutoCloseable {
    /** PIPE_BUF: writes of at most this many bytes are atomic. */
    public static final int ATOMIC_WRITE_BYTES = FileCalls.PIPE_BUF;

    private final PipeReader reader;
    private final PipeWriter writer;

    private Pipe(PipeReader reader, PipeWriter writer) {
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * pipe2(O_CLOEXEC) with the kernel's default capacity (64 KiB on Linux). The ends stay in blocking mode:
     * calls that must not wait say so per call (preadv2/pwritev2 with RWF_NOWAIT), and a platform thread's
     * call without a timeout blocks in read(2) or write(2) itself, as C's would.
     *
     * @return the new pipe
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Pipe open() throws IOException {
        int[] fds = new int[2];
        boolean blocking = Pipes.NoWaitSupport.PIPES;
        int flags = blocking ? FileCalls.O_CLOEXEC : FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK;
        int r = FileCalls.pipe2(fds, flags);
        if (r < 0) {
            throw Failures.of("pipe2", blocking ? "O_CLOEXEC" : "O_CLOEXEC | O_NONBLOCK", -r);
        }
        return new Pipe(new PipeReader(fds[0], "pipe reader fd " + fds[0], blocking),
                new PipeWriter(fds[1], "pipe writer fd " + fds[1], blocking));
    }

    /**
     * A pipe whose buffer holds at least {@code capacity} bytes (F_SETPIPE_SZ; an unprivileged process is
     * limited by /proc/sys/fs/pipe-max-size).
     *
     * @param capacity the capacity in bytes
     * @return a pipe whose buffer holds at least {@code capacity} bytes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Pipe open(int capacity) throws IOException {
        Pipe pipe = open();
        try {
            Failures.check(FileCalls.fcntl(pipe.writer.fd(), FileCalls.F_SETPIPE_SZ, capacity), "fcntl(F_SETPIPE_SZ)",
                    pipe.writer);
            return pipe;
        } catch (IOException e) {
            pipe.close();
            throw e;
        }
    }

    /**
     * The buffer size the kernel gave this pipe, in bytes.
     *
     * @return the buffer size the kernel gave this pipe, in bytes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int capacity() throws IOException {
        int fd = reader.isOpen() ? reader.fd() : writer.fd();
        return Failures.check(FileCalls.fcntl(fd, FileCalls.F_GETPIPE_SZ, 0), "fcntl(F_GETPIPE_SZ)", this);
    }

    /** {@return the reading end} */
    public PipeReader reader() {
        return reader;
    }

    /** {@return the writing end} */
    public PipeWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        reader.close();
        writer.close();
    }

    @Override
    public String toString() {
        return "pipe (" + reader + ", " + writer + ")";
    }
}
