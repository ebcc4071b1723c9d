package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.channel.OneToOneChannel;
import io.ipc4j.channel.RingChannel;
import io.ipc4j.channel.RingReceiver;
import io.ipc4j.channel.IdleStrategy;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** ipc4j's shared-memory channel, one each way, the receivers waiting by busy-spin or by spin-then-futex-park. */
public final class ChannelMechanism implements Mechanism {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final int CAPACITY = 1 << 20;

    /** How the receivers wait: by busy-spin, or (the channel's default) spin, then sleep on a futex. */
    public enum Waiting {
        BUSY_SPIN, SPIN_PARK;

        IdleStrategy strategy() {
            return this == BUSY_SPIN ? IdleStrategy.busySpin() : IdleStrategy.spinPark();
        }
    }

    private final Waiting strategy;

    public ChannelMechanism(Waiting strategy) {
        this.strategy = strategy;
    }

    @Override
    public String id() {
        return strategy == Waiting.BUSY_SPIN ? "shm-channel-spin" : "shm-channel-futex";
    }

    @Override
    public int planScale() {
        // the default strategy spins too before it parks, where this process may use more than one CPU
        return strategy == Waiting.BUSY_SPIN || RingChannel.spinsBeforeSleeping() > 0
                ? Mechanism.SPINNING_PLAN_SCALE : 1;
    }

    @Override
    public String title() {
        return strategy == Waiting.BUSY_SPIN ? "shared-memory channel, busy-spin"
                : "shared-memory channel, futex-park";
    }

    @Override
    public Optional<String> unavailableBecause() {
        return strategy == Waiting.BUSY_SPIN ? PeerSpin.unavailableOnOneCpu() : Optional.empty();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        return channelPair("/ipc4j-bench-channel-" + Spawn.currentPid(), List.of(strategy.name()),
                (in, out) -> new ChannelEndpoint(in, out, strategy));
    }

    /** Makes one side's endpoint from the channel it receives on and the one it sends on. */
    @FunctionalInterface
    interface ChannelEndpoints {
        Endpoint create(OneToOneChannel in, OneToOneChannel out) throws IOException;
    }

    /**
     * A session of two channels named from {@code base}, one each way; the child gets their names and then
     * {@code extraArguments}. Closing the session removes both.
     */
    static Session channelPair(String base, List<String> extraArguments, ChannelEndpoints endpoints)
            throws IOException {
        OneToOneChannel down = OneToOneChannel.create(base + "-down", CAPACITY);
        OneToOneChannel up = OneToOneChannel.create(base + "-up", CAPACITY);
        return new Session() {
            @Override
            public List<String> childArguments() {
                List<String> arguments = new java.util.ArrayList<>(List.of(down.name(), up.name()));
                arguments.addAll(extraArguments);
                return arguments;
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                return endpoints.create(up, down);
            }

            @Override
            public void close() throws IOException {
                down.close();
                up.close();
                OneToOneChannel.unlink(down.name());
                OneToOneChannel.unlink(up.name());
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new ChannelEndpoint(OneToOneChannel.open(arguments.get(0)), OneToOneChannel.open(arguments.get(1)),
                Waiting.valueOf(arguments.get(2)));
    }

    private static final class ChannelEndpoint implements Endpoint {
        private final OneToOneChannel in;
        private final OneToOneChannel out;
        private final RingReceiver receiver;
        private final OneToOneChannel.Sender sender;

        ChannelEndpoint(OneToOneChannel in, OneToOneChannel out, Waiting strategy) throws IOException {
            this.in = in;
            this.out = out;
            this.receiver = in.receiver().idleStrategy(strategy.strategy());
            this.sender = out.sender().idleStrategy(strategy.strategy());
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            sender.send(1, message, PEER_TIMEOUT);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            receiver.receive(into, PEER_TIMEOUT);
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
