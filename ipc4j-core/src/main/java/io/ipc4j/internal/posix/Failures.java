package io.ipc4j.internal.posix;

import io.ipc4j.ErrnoException;
import io.ipc4j.PeerClosedException;
import io.ipc4j.PosixError;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The errno boundary: turns a failed call into the exception ipc4j throws. A JDK type where one fits (so
 * callers' existing {@code catch (NoSuchFileException e)} works), else {@link ErrnoException}; every one
 * implements {@link PosixError} and has the message {@code call(object) failed: ENAME (text)[: advice]}.
 */
public final class Failures {
    private Failures() {
    }

    /** The one message format. */
    public static String message(String call, String object, String errnoName, String errnoText, String advice) {
        String message = call + "(" + object + ") failed: " + errnoName + " (" + errnoText + ")";
        return advice == null ? message : message + ": " + advice;
    }

    /** The exception for {@code call(object)} failing with {@code errno}. */
    public static IOException of(String call, String object, int errno) {
        return of(call, object, errno, null);
    }

    /** As {@link #of(String, String, int)}, with advice appended to the message. */
    public static IOException of(String call, String object, int errno, String advice) {
        String name = Errno.name(errno);
        String text = Errno.description(errno);
        String message = message(call, object, name, text, advice);
        Details d = new Details(call, object, errno, name, text, message);
        return switch (errno) {
            case Errno.ENOENT -> new NoSuchFile(d);
            case Errno.EEXIST -> new AlreadyExists(d);
            case Errno.EACCES, Errno.EPERM -> new AccessDenied(d);
            case Errno.ENOTDIR -> new NotDirectory(d);
            case Errno.EPIPE -> new PeerClosedException(call, object, errno, name, text);
            default -> new ErrnoException(call, object, errno, name, text, advice);
        };
    }

    record Details(String call, String object, int errno, String errnoName, String errnoText, String message) {
    }

    /** PosixError answered from one Details record, so each JDK subtype below is only its constructor. */
    private interface Detailed extends PosixError {
        Details details();

        @Override
        default String call() {
            return details().call();
        }

        @Override
        default String object() {
            return details().object();
        }

        @Override
        default int errno() {
            return details().errno();
        }

        @Override
        default String errnoName() {
            return details().errnoName();
        }

        @Override
        default String errnoText() {
            return details().errnoText();
        }
    }

    private static final class NoSuchFile extends NoSuchFileException implements Detailed {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient Details details;

        NoSuchFile(Details details) {
            super(details.object());
            this.details = details;
        }

        @Override
        public Details details() {
            return details;
        }

        @Override
        public String getMessage() {
            return details.message();
        }
    }

    private static final class AlreadyExists extends FileAlreadyExistsException implements Detailed {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient Details details;

        AlreadyExists(Details details) {
            super(details.object());
            this.details = details;
        }

        @Override
        public Details details() {
            return details;
        }

        @Override
        public String getMessage() {
            return details.message();
        }
    }

    private static final class AccessDenied extends AccessDeniedException implements Detailed {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient Details details;

        AccessDenied(Details details) {
            super(details.object());
            this.details = details;
        }

        @Override
        public Details details() {
            return details;
        }

        @Override
        public String getMessage() {
            return details.message();
        }
    }

    private static final class NotDirectory extends NotDirectoryException implements Detailed {
        @Serial
        private static final long serialVersionUID = 1L;
        private final transient Details details;

        NotDirectory(Details details) {
            super(details.object());
            this.details = details;
        }

        @Override
        public Details details() {
            return details;
        }

        @Override
        public String getMessage() {
            return details.message();
        }
    }
}
