package io.ipc4j;

/**
 * An ipc4j object backed by a file descriptor of this process: pipe ends and FIFOs, POSIX queues, every socket
 * and socket server, {@link io.ipc4j.event.EventFd}, {@link io.ipc4j.event.TimerFd}, a
 * {@link io.ipc4j.process.ChildProcess} (its pidfd), a {@link io.ipc4j.signal.SignalReceiver}, a channel's
 * {@link io.ipc4j.channel.Doorbell}, an {@link io.ipc4j.event.EventLoop}.
 *
 * <ul>
 * <li>It can wait with other such objects in an {@link io.ipc4j.event.EventLoop}; closing it takes it out
 * of every loop first.</li>
 * <li>Its blocking calls park a virtual thread instead of holding its carrier, and a close from another
 * thread ends them at once (AsynchronousCloseException).</li>
 * <li>It can be handed to a child process ({@link io.ipc4j.process.Spawn#inherit(NativeDescriptor, int)}).</li>
 * </ul>
 */
public interface NativeDescriptor extends AutoCloseable {
    /**
     * The descriptor number. Valid only while the handle is open; do not close it behind the handle's back.
     *
     * @return the descriptor number
     * @throws java.nio.channels.ClosedChannelException if the handle is closed.
     */
    int fd() throws java.nio.channels.ClosedChannelException;

    /**
     * Whether the handle is still open.
     *
     * @return whether the handle is still open
     */
    boolean isOpen();

    @Override
    void close();
}
