package io.ipc4j.socket;

import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Handles;

import java.nio.channels.ClosedChannelException;

/** The descriptor-owning part every socket-package handle shares: one FdHandle, open and closed the same way. */
abstract class DescriptorOwner implements NativeDescriptor {
    static {
        Handles.register(DescriptorOwner.class, owner -> owner.handle);
    }

    final FdHandle handle;

    DescriptorOwner(int fd) {
        this.handle = new FdHandle(this, fd);
    }

    @Override
    public int fd() throws ClosedChannelException {
        return handle.fd();
    }

    @Override
    public boolean isOpen() {
        return handle.isOpen();
    }

    /**
     * Closes the descriptor: an operation blocked on it in another thread ends within 200 ms, and the number
     * is released only when no operation uses it any more. Idempotent.
     */
    @Override
    public void close() {
        handle.close();
    }
}
