package io.ipc4j.channel;

import io.ipc4j.IpcTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static io.ipc4j.channel.ChannelLayout.HEAD_OFFSET;
import static io.ipc4j.channel.ChannelLayout.TAIL_OFFSET;

/**
 * A ring sender's wait for room: its attempt is the sender's offer of the message in progress (set once, so a
 * wait allocates no lambda); every 100 ms it checks the region, the positions and that the receiver lives.
 */
final class SenderWait extends ChannelWait {
    private final ChannelRegion region;
    private final BooleanSupplier offer;

    SenderWait(ChannelRegion region, IdleStrategy strategy, BooleanSupplier offer) {
        super(strategy);
        this.region = region;
        this.offer = offer;
    }

    @Override
    boolean attempt() {
        return offer.getAsBoolean();
    }

    @Override
    boolean checkPeer() throws IOException {
        region.checkSize();
        checkPositions();
        region.beat(ChannelRegion.Role.SENDER);
        if (region.holderDead(ChannelRegion.Role.RECEIVER)) {
            throw new PeerDeadException("send(" + region.name + "): the receiver, pid "
                    + region.pid(ChannelRegion.Role.RECEIVER) + ", died with the channel full");
        }
        return false;
    }

    /**
     * The receiver's position must be behind the senders', by at most a ring: a corrupt one would make the
     * sender wait for room forever (or write over unread records).
     */
    private void checkPositions() throws ChannelFormatException {
        try {
            long head = region.header.getLongVolatile(HEAD_OFFSET);
            long tail = region.header.getLongVolatile(TAIL_OFFSET);
            if (tail - head < 0 || tail - head > region.capacity) {
                throw new ChannelFormatException(region.name + ": corrupt header: the receiver's position " + head
                        + " is " + (tail - head) + " bytes behind the sender's " + tail + " (a ring holds "
                        + region.capacity + ")");
            }
        } catch (InternalError e) {
            throw region.truncated(e);
        }
    }

    @Override
    IpcTimeoutException timedOut(Duration timeout) {
        return new IpcTimeoutException("send(" + region.name + "): the channel is full", timeout, 0);
    }
}
