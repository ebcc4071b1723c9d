package io.ipc4j.pipe;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;

import java.io.IOException;

/** What adopting a descriptor as a pipe end takes. */
final class Pipes {
    private Pipes() {
    }

    /** Checks that {@code fd} is an open pipe or FIFO, then makes it close-on-exec and non-blocking. */
    static void adopt(int fd, String what) throws IOException {
        int size = FileCalls.fcntl(fd, FileCalls.F_GETPIPE_SZ, 0);
        if (size < 0) {
            int errno = -size;
            String object = what + " fd " + fd;
            throw Failures.of("fcntl(F_GETPIPE_SZ)", object, errno, switch (errno) {
                case Errno.EBADF -> "no such descriptor: did the parent pass it (Spawn.inherit)?";
                case Errno.EINVAL -> "descriptor " + fd + " is not a pipe or FIFO";
                default -> null;
            });
        }
        Failures.check(FileCalls.fcntl(fd, FileCalls.F_SETFD, FileCalls.FD_CLOEXEC), "fcntl(F_SETFD)", what);
        Failures.check(FileCalls.setNonBlocking(fd, true), "fcntl(F_SETFL)", what);
    }
}
