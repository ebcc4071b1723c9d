package io.ipc4j;

import java.nio.file.AccessDeniedException;

/**
 * A C call failed with EACCES or EPERM: the caller may not open, create or change the object. A {@link AccessDeniedException}, so a {@code catch} of the JDK type
 * works, that also carries the call, the object and the errno ({@link PosixError}); its message is
 * {@code call(object) failed: ENAME (text)[: advice]}.
 */
public class PosixAccessDeniedException extends AccessDeniedException implements PosixErrorDetails.Carrier {
    private static final long serialVersionUID = 1L;

    private final transient PosixErrorDetails details;

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
    public PosixAccessDeniedException(String call, String object, int errno, String errnoName, String errnoText, String advice) {
        super(object);
        this.details = PosixErrorDetails.of(call, object, errno, errnoName, errnoText, advice);
    }

    @Override
    public PosixError details() {
        return details;
    }

    @Override
    public String getMessage() {
        return details.message();
    }
}
