package io.ipc4j;

import java.io.IOException;

/**
 * A C call failed with an errno for which no more specific JDK exception fits. The message names the call,
 * the object, the symbolic errno and its text, e.g. {@code read(pipe fd 7) failed: EBADF (Bad file
 * descriptor)}, followed by advice where ipc4j has some.
 */
public class ErrnoException extends IOException implements PosixError {
    private static final long serialVersionUID = 1L;

    /** The C function that failed. */
    private final String call;
    /** What it was called on. */
    private final String object;
    /** The errno value. */
    private final int errno;
    /** The symbolic errno. */
    private final String errnoName;
    /** The C library's text for it. */
    private final String errnoText;

    /**
     * The exception for {@code call(object)} failing with {@code errno}.
     *
     * @param call      the C function that failed.
     * @param object    what it was called on.
     * @param errno     the errno value.
     * @param errnoName the symbolic errno.
     * @param errnoText the C library's text for it.
     * @param advice    what the caller can do about it, or null.
     */
    public ErrnoException(String call, String object, int errno, String errnoName, String errnoText,
                          String advice) {
        super(PosixErrorDetails.message(call, object, errnoName, errnoText, advice));
        this.call = call;
        this.object = object;
        this.errno = errno;
        this.errnoName = errnoName;
        this.errnoText = errnoText;
    }

    @Override
    public String call() {
        return call;
    }

    @Override
    public String object() {
        return object;
    }

    @Override
    public int errno() {
        return errno;
    }

    @Override
    public String errnoName() {
        return errnoName;
    }

    @Override
    public String errnoText() {
        return errnoText;
    }
}
