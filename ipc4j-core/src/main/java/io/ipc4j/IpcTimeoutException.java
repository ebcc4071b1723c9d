package io.ipc4j;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * A blocking call gave up at its deadline. {@link #bytesTransferred} says how much of a read or write was
 * done before it did, so a caller that retries loses nothing.
 */
public class IpcTimeoutException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    private final transient Duration timeout;

    /**
     * The exception for a wait that ran out.
     *
     * @param what             what was waited for, e.g. {@code open(/tmp/f) for writing: no reader}.
     * @param timeout          how long it waited.
     * @param bytesTransferred bytes moved before the deadline.
     */
    public IpcTimeoutException(String what, Duration timeout, long bytesTransferred) {
        super(what + ": timed out after " + format(timeout)
                + (bytesTransferred > 0 ? " (" + bytesTransferred + " bytes transferred before)" : ""));
        this.timeout = timeout;
        this.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, bytesTransferred);
    }

    /**
     * How long the call waited.
     *
     * @return how long the call waited
     */
    public Duration timeout() {
        return timeout;
    }

    private static String format(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }
}
