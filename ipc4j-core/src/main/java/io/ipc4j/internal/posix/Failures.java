package io.ipc4j.internal.posix;

import io.ipc4j.ErrnoException;
import io.ipc4j.PeerClosedException;
import io.ipc4j.PosixAccessDeniedException;
import io.ipc4j.PosixError;
import io.ipc4j.PosixFileAlreadyExistsException;
import io.ipc4j.PosixNoSuchFileException;
import io.ipc4j.PosixNotDirectoryException;

import java.io.IOException;

/**
 * The errno boundary: turns a failed call into the exception ipc4j throws. A public ipc4j type extending the
 * JDK type that fits (so callers' existing {@code catch (NoSuchFileException e)} works), else
 * {@link ErrnoException}; every one implements {@link PosixError} and has the message
 * {@code call(object) failed: ENAME (text)[: advice]}.
 */
public final class Failures {
    private Failures() {
    }

    /** The advice for EMFILE, wherever a call makes a descriptor. */
    private static final String TOO_MANY_DESCRIPTORS =
            "this process has too many open descriptors: close some, or raise ulimit -n";

    /**
     * A binding's {@code result} if it succeeded (not negative); else throws the exception for
     * {@code call(object)} failing with errno {@code -result}. {@code object} is turned into text only then.
     */
    public static int check(int result, String call, Object object) throws IOException {
        if (result < 0) {
            throw of(call, String.valueOf(object), -result);
        }
        return result;
    }

    /** As {@link #check(int, String, Object)} for open(2) with {@code flags}, with advice for ENXIO. */
    public static int checkOpen(int fd, int flags, Object path) throws IOException {
        if (fd < 0) {
            throw of("open", String.valueOf(path), -fd, switch (-fd) {
                case Errno.ENXIO ->
                        (flags & FileCalls.O_WRONLY) != 0 ? "no process has the FIFO open for reading" : null;
                default -> null; // EMFILE's advice comes from of()
            });
        }
        return fd;
    }

    /**
     * A signal call's result (kill, sigqueue, pidfd_send_signal...): true if the signal was sent, false if the
     * process does not exist (ESRCH); any other failure throws, with advice for EAGAIN (too many queued).
     */
    public static boolean signalled(int result, String call, Object object) throws IOException {
        if (result == -Errno.ESRCH) {
            return false;
        }
        if (result < 0) {
            throw of(call, String.valueOf(object), -result, result == -Errno.EAGAIN
                    ? "the receiver has too many queued signals pending (RLIMIT_SIGPENDING)" : null);
        }
        return true;
    }

    /** As {@link #check(int, String, Object)}, for calls returning a long (byte counts). */
    public static long check(long result, String call, Object object) throws IOException {
        if (result < 0) {
            throw of(call, String.valueOf(object), (int) -result);
        }
        return result;
    }

    /** The exception for {@code call(object)} failing with {@code errno}. */
    public static IOException of(String call, String object, int errno) {
        return of(call, object, errno, null);
    }

    /**
     * As {@link #of(String, String, int)}, with advice appended to the message. An EMFILE given no advice of
     * its own gets {@link #TOO_MANY_DESCRIPTORS}: whichever call makes a descriptor, that is what to do.
     */
    public static IOException of(String call, String object, int errno, String advice) {
        if (advice == null && errno == Errno.EMFILE) {
            advice = TOO_MANY_DESCRIPTORS;
        }
        String name = Errno.name(errno);
        String text = Errno.description(errno);
        return switch (errno) {
            case Errno.ENOENT -> new PosixNoSuchFileException(call, object, errno, name, text, advice);
            case Errno.EEXIST -> new PosixFileAlreadyExistsException(call, object, errno, name, text, advice);
            case Errno.EACCES, Errno.EPERM -> new PosixAccessDeniedException(call, object, errno, name, text, advice);
            case Errno.ENOTDIR -> new PosixNotDirectoryException(call, object, errno, name, text, advice);
            case Errno.EPIPE -> new PeerClosedException(call, object, errno, name, text);
            default -> new ErrnoException(call, object, errno, name, text, advice);
        };
    }
}
