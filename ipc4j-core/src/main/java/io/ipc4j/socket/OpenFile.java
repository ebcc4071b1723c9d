package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Path;

/**
 * A file opened as a plain descriptor, to be passed to another process
 * ({@link NativeSocket#sendDescriptors}) or to a child ({@link io.ipc4j.process.Spawn#inherit}). The JDK's
 * file channels do not reveal their descriptors, so this is the way to hand over an open file: the receiver
 * reads it with this process's access, even where it could not open the path itself.
 */
public final class OpenFile extends DescriptorOwner {
    private final Path path;

    private OpenFile(int fd, Path path) {
        super(fd);
        this.path = path;
    }

    /**
     * Opens {@code path} for reading (O_RDONLY | O_CLOEXEC).
     *
     * @param path the file system path
     * @return the {@code OpenFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OpenFile readOnly(Path path) throws IOException {
        int flags = FileCalls.O_RDONLY | FileCalls.O_CLOEXEC;
        return new OpenFile(Failures.checkOpen(FileCalls.open(path.toString(), flags, 0), flags, path), path);
    }

    /**
     * Opens {@code path} for reading and writing, creating it with {@code mode} if it is missing.
     *
     * @param path the file system path
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code OpenFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static OpenFile readWrite(Path path, int mode) throws IOException {
        int flags = FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_CLOEXEC;
        return new OpenFile(Failures.checkOpen(FileCalls.open(path.toString(), flags, mode), flags, path), path);
    }

    /**
     * A channel on a duplicate of the descriptor (sharing its offset); closing one leaves the other open.
     *
     * @return a channel on a duplicate of the descriptor
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public ByteChannel channel() throws IOException {
        int copy = Failures.check(FileCalls.fcntl(handle.fd(), FileCalls.F_DUPFD_CLOEXEC, 0), "fcntl(F_DUPFD_CLOEXEC)",
                this);
        return new DescriptorChannel(copy, toString());
    }

    @Override
    public String toString() {
        return "open file " + path;
    }
}
