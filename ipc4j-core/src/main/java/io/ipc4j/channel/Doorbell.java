package io.ipc4j.channel;

import io.ipc4j.NativeDescriptor;
import io.ipc4j.event.EventFd;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

import static io.ipc4j.channel.ChannelLayout.DOORBELL_FD_OFFSET;

/**
 * A receiver's doorbell: an eventfd that a sender rings when it wakes the receiver, so that the receiver can
 * wait for messages in an {@link io.ipc4j.event.EventLoop} together with descriptors. Register it for reading;
 * when it is ready, call {@link RingReceiver#drain}. While the receiver is busy no sender makes a system call:
 * it rings only after the receiver announced that it sleeps ({@link RingReceiver#drain} does that once the ring
 * is empty). Closing it takes it out of the channel (receive() sleeps on the futex again).
 */
public final class Doorbell implements NativeDescriptor {
    private final ChannelRegion region;
    private final EventFd eventfd;

    Doorbell(ChannelRegion region, EventFd eventfd) {
        this.region = region;
        this.eventfd = eventfd;
    }

    @Override
    public int fd() throws ClosedChannelException {
        return eventfd.fd();
    }

    @Override
    public boolean isOpen() {
        return eventfd.isOpen();
    }

    /** Takes the count, if it rang. */
    void take() throws IOException {
        eventfd.tryTake();
    }

    /** Rings it from this process: more messages wait than one drain handed over. */
    void ring() throws IOException {
        eventfd.signal(1);
    }

    @Override
    public void close() {
        if (eventfd.isOpen()) {
            try {
                region.header.compareAndSetInt(DOORBELL_FD_OFFSET, eventfd.fd(), 0);
            } catch (ClosedChannelException e) {
                // closed meanwhile by another thread
            }
        }
        eventfd.close();
    }

    @Override
    public String toString() {
        return "doorbell of " + region.name;
    }
}
