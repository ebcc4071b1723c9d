package io.ipc4j.socket;

import java.io.IOException;
import java.io.Serial;

/**
 * The kernel dropped descriptors sent with a message (MSG_CTRUNC): usually because the receiving process
 * reached its limit of open descriptors (ulimit -n). The data and the descriptors that did arrive are in
 * {@link #received()}; the caller owns them.
 */
public final class DescriptorsLostException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;
    private final transient ReceivedDescriptors received;

    DescriptorsLostException(String socket, ReceivedDescriptors received) {
        super("recvmsg(" + socket + "): descriptors sent with this message were dropped by the kernel"
                + " (MSG_CTRUNC); " + received.descriptors().size() + " arrived: is this process at its limit of"
                + " open descriptors (ulimit -n)?");
        this.received = received;
    }

    /**
     * What did arrive.
     *
     * @return what did arrive
     */
    public ReceivedDescriptors received() {
        return received;
    }
}
