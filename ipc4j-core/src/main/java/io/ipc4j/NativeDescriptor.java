package io.ipc4j;

/**
 * A handle backed by a file descriptor of this process, which can be handed to a child process
 * (see {@link io.ipc4j.process.Spawn#inherit(NativeDescriptor, int)}).
 */
public interface NativeDescriptor extends AutoCloseable {
    /**
     * The descriptor number. Valid only while the handle is open; do not close it behind the handle's back.
     *
     * @throws java.nio.channels.ClosedChannelException if the handle is closed.
     */
    int fd() throws java.nio.channels.ClosedChannelException;

    /** Whether the handle is still open. */
    boolean isOpen();

    @Override
    void close();
}
