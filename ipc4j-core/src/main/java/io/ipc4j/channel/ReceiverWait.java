package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A receiver's wait for a message: its attempt is a {@link ChannelReceiver#receiveNow} into the buffer of the
 * receive in progress. Each receiver kind adds its own checks of the peer and, for the rings, its futex sleep.
 */
abstract class ReceiverWait extends ChannelWait {
    private final ChannelReceiver receiver;
    private final String name;
    private ByteBuffer target;
    private int received;

    ReceiverWait(ChannelReceiver receiver, String name, IdleStrategy strategy) {
        super(strategy);
        this.receiver = receiver;
        this.name = name;
    }

    /** A receive that found nothing at once: waits for a message into {@code dst}; returns its type. */
    final int receive(ByteBuffer dst, Duration timeout) throws IOException {
        target = dst;
        try {
            await(timeout);
            return received;
        } finally {
            target = null;
        }
    }

    @Override
    final boolean attempt() throws ChannelFormatException {
        int type = receiver.receiveNow(target);
        if (type == ChannelReceiver.NONE) {
            return false;
        }
        received = type;
        return true;
    }

    @Override
    final IpcTimeoutException timedOut(Duration timeout) {
        return new IpcTimeoutException("receive(" + name + ")", timeout, 0);
    }
}
