package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A descriptor received from another process over a Unix socket (SCM_RIGHTS): it refers to the same open
 * file, pipe or socket as the sender's, with the same offset and flags, whatever this process's own
 * permissions on the path. Close-on-exec. The caller owns it: close it, or convert it with one of the
 * {@code as...} methods, which take it over (this handle is then closed).
 */
public final class PassedDescriptor extends DescriptorOwner {
    /** What kind of object a descriptor refers to, from fstat(2). */
    public enum Kind {
        /** A regular file, or a memfd. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A pipe end or a FIFO. */
        PIPE,
        /** A socket. */
        SOCKET,
        /** A character device. */
        CHARACTER_DEVICE,
        /** A block device. */
        BLOCK_DEVICE,
        /** Anything else (an eventfd, an epoll set...). */
        OTHER
    }

    private final int fd;

    PassedDescriptor(int fd) {
        this.fd = fd;
        super(fd);
    }

    /**
     * The kind of object: a memfd or an open file is FILE, a pipe or FIFO PIPE.
     *
     * @return the kind of object: a memfd or an open file is FILE, a pipe or FIFO PIPE
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Kind kind() throws IOException {
        int mode = SocketCalls.fileMode(handle.fd());
        if (mode < 0) {
            throw Failures.of("fstat", toString(), -mode);
        }
        return switch (mode & 0170000) {
            case 0100000 -> Kind.FILE;
            case 0040000 -> Kind.DIRECTORY;
            case 0010000 -> Kind.PIPE;
            case 0140000 -> Kind.SOCKET;
            case 0020000 -> Kind.CHARACTER_DEVICE;
            case 0060000 -> Kind.BLOCK_DEVICE;
            default -> Kind.OTHER;
        };
    }

    /**
     * What /proc says it is: a path, {@code pipe:[123]}, {@code socket:[456]}, {@code /memfd:name (deleted)}.
     *
     * @return what /proc says it is: a path, {@code pipe:[123]}, {@code socket:[456]}, {@code /memfd:name (deleted)}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public String target() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + handle.fd())).toString();
    }

    /**
     * Takes the descriptor over as a byte channel that reads and writes at the shared offset (for a file) or
     * in order (for a pipe, socket or device); reads wait in poll(2) if the descriptor is non-blocking.
     *
     * @return the {@code ByteChannel}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public ByteChannel asChannel() throws IOException {
        String what = "passed " + target();
        return new DescriptorChannel(takeOver(), what);
    }

    /**
     * Takes a pipe's or FIFO's reading end over (made non-blocking: that is shared with the sender).
     *
     * @return the {@code PipeReader}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeReader asPipeReader() throws IOException {
        return PipeReader.fromInherited(takeOver());
    }

    /**
     * Takes a pipe's or FIFO's writing end over (made non-blocking: that is shared with the sender).
     *
     * @return the {@code PipeWriter}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public PipeWriter asPipeWriter() throws IOException {
        return PipeWriter.fromInherited(takeOver());
    }

    /**
     * Takes a connected stream socket over.
     *
     * @return the {@code StreamSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public StreamSocket asStreamSocket() throws IOException {
        return StreamSocket.fromInherited(takeOver());
    }

    /**
     * Takes a connected seqpacket socket over.
     *
     * @return the {@code SeqpacketSocket}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public SeqpacketSocket asSeqpacketSocket() throws IOException {
        return SeqpacketSocket.fromInherited(takeOver());
    }

    /**
     * Maps a sealed memfd read-only; see {@link SealedMemory#map(PassedDescriptor)}. This handle stays open
     * and may be closed at once: the mapping keeps the memory.
     *
     * @return the {@code Mapping}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public SealedMemory.Mapping mapSealed() throws IOException {
        return SealedMemory.map(this);
    }

    /** A duplicate the caller owns, and this handle closed: conversions go through it. */
    private int takeOver() throws IOException {
        int copy = Failures.check(FileCalls.fcntl(handle.fd(), FileCalls.F_DUPFD_CLOEXEC, 0), "fcntl(F_DUPFD_CLOEXEC)",
                this);
        close();
        return copy;
    }

    @Override
    public String toString() {
        return "passed descriptor " + fd;
    }
}
