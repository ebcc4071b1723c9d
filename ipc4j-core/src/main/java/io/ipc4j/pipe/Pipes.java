package io.ipc4j.pipe;

import io.ipc4j.UnsupportedPlatformException;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What adopting a descriptor as a pipe end takes. */
final class Pipes {
    private Pipes() {
    }

    /**
     * Checks that {@code fd} is an open pipe or FIFO and makes it close-on-exec. A descriptor in blocking mode
     * that takes per-call RWF_NOWAIT (a pipe, on Linux 5.x on) is left in blocking mode, which its other holders
     * may rely on; anything else is made non-blocking.
     *
     * @return whether it stays in blocking mode.
     */
    static boolean adopt(int fd, String what) throws IOException {
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
        int flags = Failures.check(FileCalls.fcntl(fd, FileCalls.F_GETFL, 0), "fcntl(F_GETFL)", what);
        if ((flags & FileCalls.O_NONBLOCK) == 0 && takesNoWait(fd)) {
            return true;
        }
        Failures.check(FileCalls.setNonBlocking(fd, true), "fcntl(F_SETFL)", what);
        return false;
    }

    /**
     * Whether {@code fd} takes RWF_NOWAIT: an anonymous pipe (its /proc/self/fd link reads "pipe:[inode]") on a
     * kernel whose pipes take it. A FIFO does not (EOPNOTSUPP), and an empty transfer cannot tell: it succeeds
     * on both.
     */
    private static boolean takesNoWait(int fd) {
        try {
            return NoWaitSupport.PIPES
                    && Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("pipe:");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this kernel takes RWF_NOWAIT on pipes (Linux 5.x on): asked once, of a pipe made for it. */
    static final class NoWaitSupport {
        static final boolean PIPES = probe();

        private NoWaitSupport() {
        }

        private static boolean probe() {
            int[] fds = new int[2];
            try {
                if (FileCalls.pipe2(fds, FileCalls.O_CLOEXEC) < 0) {
                    return false;
                }
            } catch (UnsupportedPlatformException e) {
                return false; // said again, clearly, by the call the caller makes next
            }
            try {
                return FileCalls.emptyReadTakesNoWait(fds[0], 1); // the writer still open: EAGAIN, not end of file
            } finally {
                FileCalls.closeQuietly(fds[1]);
            }
        }
    }
}
