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

    /** The exception for {@code call(object)} failing with {@code errno}. */
    public static IOException of(String call, String object, int errno) {
        return of(call, object, errno, null);
    }

    /** As {@link #of(String, String, int)}, with advice appended to the message. */
    public static IOException of(String call, String object, int errno, String advice) {
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
