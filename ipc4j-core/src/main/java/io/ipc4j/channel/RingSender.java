package io.ipc4j.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * What the two ring senders share: a send is an offer, and while the ring is full, a wait whose every attempt
 * offers the same message again (set in fields, so a wait allocates no lambda). One thread at a time.
 */
abstract sealed class RingSender implements ZeroCopySender permits OneToOneChannel.Sender, ManyToOneChannel.Sender {
    final SenderWait wait;
    private int pendingType;
    private ByteBuffer pendingMessage;

    RingSender(ChannelRegion region) {
        this.wait = new SenderWait(region, IdleStrategy.spinPark(), () -> offer(pendingType, pendingMessage));
    }

    @Override
    public final void send(int type, ByteBuffer message, Duration timeout) throws IOException {
        if (!offer(type, message)) {
            pendingType = type;
            pendingMessage = message;
            try {
                wait.await(timeout);
            } finally {
                pendingMessage = null;
            }
        }
    }
}
