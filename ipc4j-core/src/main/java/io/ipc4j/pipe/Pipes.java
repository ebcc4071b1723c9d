package io.ipc4j.pipe;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.Posix;

import java.io.IOException;

/** What adopting a descriptor as a pipe end takes. */
final class Pipes {
    private Pipes() {
    }

    /** Checks that {@code fd} is an open pipe or FIFO, then makes it close-on-exec and non-blocking. */
    static void adopt(int fd, String what) throws IOException {
        int size = Posix.pipeSizeOrErrno(fd);
        if (size < 0) {
            int errno = -size;
            String object = what + " fd " + fd;
            throw Failures.of("fcntl(F_GETPIPE_SZ)", object, errno, switch (errno) {
                case Errno.EBADF -> "no such descriptor: did the parent pass it (Spawn.inherit)?";
                case Errno.EINVAL -> "descriptor " + fd + " is not a pipe or FIFO";
                default -> null;
            });
        }
        Posix.fcntl(fd, Posix.F_SETFD, Posix.FD_CLOEXEC, what);
        Posix.setNonBlocking(fd, true, what);
    }
}
