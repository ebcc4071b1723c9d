package io.ipc4j;

/**
 * A write found no one left to read: the other end of the pipe, FIFO or socket is closed (EPIPE). ipc4j
 * never lets SIGPIPE kill the JVM; the failed write throws this instead, and nothing of the failed call was
 * written.
 */
public class PeerClosedException extends ErrnoException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception for a write that failed with EPIPE.
     *
     * @param call      the C function that failed.
     * @param object    what it was called on.
     * @param errno     the errno value (EPIPE).
     * @param errnoName the symbolic errno.
     * @param errnoText the C library's text for it.
     */
    public PeerClosedException(String call, String object, int errno, String errnoName, String errnoText) {
        super(call, object, errno, errnoName, errnoText, "the reading end is closed");
    }
}
