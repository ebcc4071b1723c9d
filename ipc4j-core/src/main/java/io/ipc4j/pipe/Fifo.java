package io.ipc4j.pipe;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A named pipe (FIFO): a pipe with a path, so unrelated processes can meet at it.
 *
 * <pre>{@code
 * Fifo fifo = Fifo.create(Path.of("/tmp/orders.fifo"), 0600);
 * try (PipeReader in = fifo.openReader(Duration.ofSeconds(5))) {   // waits for a writer, at most 5 s
 *     ...
 * } finally {
 *     fifo.remove();
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Opening: a FIFO's open blocks until the other side opens too. {@link #openReader(Duration)} and
 * {@link #openWriter(Duration)} give up at the timeout with {@link io.ipc4j.IpcTimeoutException}, close what
 * they opened, and leave the FIFO as it was; no thread stays blocked behind. The forms without a timeout wait
 * as long as it takes, in open(2), which nothing can make non-blocking: on a virtual thread, the open holds
 * its carrier until the peer comes (use a platform thread for opens that may wait long).</li>
 * <li>A {@code Fifo} is only a path: it holds no descriptor and needs no closing; {@link #remove()} deletes
 * the file. The FIFO file outlives every process: remove it when done.</li>
 * <li>End of stream and dead peers are those of {@link PipeReader} and {@link PipeWriter}.</li>
 * </ul>
 */
public final class Fifo {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private final Path path;

    private Fifo(Path path) {
        this.path = path;
    }

    /**
     * Creates a FIFO at {@code path} with exactly {@code mode} (e.g. {@code 0600}; the umask is not applied,
     * since the mode is set explicitly after mkfifo, which the umask only ever narrows).
     *
     * @param path the file system path
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code Fifo}
     * @throws java.nio.file.FileAlreadyExistsException if anything exists at {@code path}.
     * @throws java.nio.file.NoSuchFileException if the directory does not exist.
     * @throws java.nio.file.AccessDeniedException if the directory is not writable.
     */
    public static Fifo create(Path path, int mode) throws IOException {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode)
                    + " has bits beyond 07777: give permission bits only, e.g. 0600");
        }
        String name = path.toString();
        Failures.check(FileCalls.mkfifo(name, mode), "mkfifo", name);
        int r = FileCalls.chmod(name, mode);
        if (r < 0) {
            FileCalls.unlink(name);
            throw Failures.of("chmod", name, -r);
        }
        return new Fifo(path);
    }

    /**
     * Creates a FIFO readable and writable by its owner only (0600).
     *
     * @param path the file system path
     * @return the {@code Fifo}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Fifo create(Path path) throws IOException {
        return create(path, 0600);
    }

    /**
     * An existing FIFO.
     *
     * @param path the file system path
     * @return an existing FIFO
     * @throws java.nio.file.NoSuchFileException if nothing is at {@code path}.
     * @throws NotAFifoException if something other than a FIFO is.
     */
    public static Fifo open(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        if ((mode & S_IFMT) != S_IFIFO) {
            throw new NotAFifoException(path, describeType(mode));
        }
        return new Fifo(path);
    }

    static String describeType(int mode) {
        return switch (mode & S_IFMT) {
            case 0100000 -> "a regular file";
            case 0040000 -> "a directory";
            case 0140000 -> "a socket";
            case 0120000 -> "a symbolic link";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "not a FIFO";
        };
    }

    /** {@return the FIFO's path} */
    public Path path() {
        return path;
    }

    /**
     * Opens for reading, waiting at most {@code timeout} for a writer.
     *
     * @param timeout the longest this call waits
     * @return the {@code PipeReader}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeReader openReader(Duration timeout) throws IOException {
        int fd = FifoOpener.open(path, false, timeout);
        return new PipeReader(fd, "FIFO " + path + " (reader fd " + fd + ")", toBlockingMode(fd));
    }

    /**
     * Opens for writing, waiting at most {@code timeout} for a reader.
     *
     * @param timeout the longest this call waits
     * @return the {@code PipeWriter}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeWriter openWriter(Duration timeout) throws IOException {
        int fd = FifoOpener.open(path, true, timeout);
        return new PipeWriter(fd, "FIFO " + path + " (writer fd " + fd + ")", toBlockingMode(fd));
    }

    /**
     * Opens for reading, waiting as long as it takes for a writer.
     *
     * @return the {@code PipeReader}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeReader openReader() throws IOException {
        return openReader(Duration.ofDays(365 * 1000));
    }

    /**
     * Opens for writing, waiting as long as it takes for a reader.
     *
     * @return the {@code PipeWriter}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeWriter openWriter() throws IOException {
        return openWriter(Duration.ofDays(365 * 1000));
    }

    /**
     * Opens for writing if a reader has it open now; empty if none has (ENXIO). Never waits.
     *
     * @return the writing end, or empty if no reader has the FIFO open
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Optional<PipeWriter> tryOpenWriter() throws IOException {
        String name = path.toString();
        int fd = FileCalls.open(name, FileCalls.O_WRONLY | FileCalls.O_NONBLOCK | FileCalls.O_CLOEXEC, 0);
        if (fd == -Errno.ENXIO) {
            return Optional.empty();
        }
        if (fd < 0) {
            throw Failures.of("open", name + " for writing", -fd);
        }
        return Optional.of(new PipeWriter(fd, "FIFO " + path + " (writer fd " + fd + ")", toBlockingMode(fd)));
    }

    /**
     * Puts an end just opened (non-blocking, so that the open could give up at its deadline) in blocking mode,
     * as {@link Pipe#open()}'s ends are: an untimed read or write on a platform thread is then one call that
     * sleeps in the kernel, where a non-blocking end takes read, EAGAIN, poll(2) and read again (the bench's
     * FIFO row was 1.28x C at 64 B and 4 KiB while its pipe row, the same kernel object in blocking mode, was
     * 1.07-1.08x). Calls that must not wait then try RWF_NOWAIT per call; a FIFO that refuses it (EOPNOTSUPP)
     * goes back to non-blocking mode for good at that first call (FdHandle.transfer). Only where this
     * kernel's pipes take RWF_NOWAIT at all, as for {@link Pipe#open()}; otherwise the end stays non-blocking.
     *
     * @return whether the end is in blocking mode
     */
    private static boolean toBlockingMode(int fd) {
        return Pipes.NoWaitSupport.PIPES && FileCalls.setNonBlocking(fd, false) == 0;
    }

    /**
     * Deletes the FIFO file; false if it was already gone. Open ends keep working.
     *
     * @return true if it was removed, false if it was already gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean remove() throws IOException {
        int r = FileCalls.unlink(path.toString());
        return r != -Errno.ENOENT && Failures.check(r, "unlink", path) == 0;
    }

    @Override
    public String toString() {
        return "FIFO " + path;
    }
}
