package io.ipc4j.bench.mechanisms;

import io.ipc4j.channel.RingReceiver;
import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.channel.OneToOneChannel;
import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * ipc4j's shared-memory channel with each receiver waiting in an {@link EventLoop} on the channel's doorbell
 * (an eventfd the sender rings once the receiver announced that it sleeps), as a receiver that also waits on
 * descriptors would: the price of joining a loop, next to the futex park of {@code shm-channel-futex}.
 */
public final class ChannelDoorbellMechanism implements Mechanism {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String id() {
        return "shm-channel-doorbell";
    }

    @Override
    public String title() {
        return "shared-memory channel, doorbell";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        return ChannelMechanism.channelPair("/ipc4j-bench-doorbell-" + Spawn.currentPid(), List.of(),
                LoopEndpoint::new);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new LoopEndpoint(OneToOneChannel.open(arguments.get(0)), OneToOneChannel.open(arguments.get(1)));
    }

    /** Receives by polling the ring, and when it is empty announces its sleep and selects on the doorbell. */
    private static final class LoopEndpoint implements Endpoint {
        private final OneToOneChannel in;
        private final OneToOneChannel out;
        private final RingReceiver receiver;
        private final OneToOneChannel.Sender sender;
        private final EventLoop loop;

        LoopEndpoint(OneToOneChannel in, OneToOneChannel out) throws IOException {
            this.in = in;
            this.out = out;
            this.receiver = in.receiver();
            this.sender = out.sender();
            this.loop = EventLoop.open();
            loop.register(receiver.doorbell(), Interest.READ);
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            sender.send(1, message, PEER_TIMEOUT);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            while (receiver.receiveNow(into) == Integer.MIN_VALUE) {
                if (receiver.announceSleep()) {
                    loop.select(PEER_TIMEOUT);
                    receiver.woken();
                }
            }
        }

        @Override
        public void close() {
            loop.close();
            in.close();
            out.close();
        }
    }
}
