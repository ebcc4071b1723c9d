package io.ipc4j.cli.demo;

import io.ipc4j.channel.RingReceiver;
import io.ipc4j.channel.OneToOneChannel;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The shared-memory channel across two processes: a sender process streams price ticks through a ring in
 * shared memory, this process receives them, zero-copy, and shows what arrived and how fast.
 */
@Command(name = "channel", mixinStandardHelpOptions = true,
        description = "A sender process streams messages to this one through ipc4j's shared-memory channel.")
public final class ChannelDemo implements Callable<Integer> {
    static final int TICK = 1;
    static final int DONE = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--messages", converter = Ranges.PositiveLong.class, defaultValue = "1000000", description = "How many ticks (default 1,000,000).")
    private long messages;

    @Override
    public Integer call() throws IOException {
        String name = "/ipc4j-demo-channel-" + Spawn.currentPid();
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().add("unlink " + name, () -> OneToOneChannel.unlink(name));
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1 << 20)) {
            RingReceiver receiver = channel.receiver();
            Say.parent("created channel %s: a %d KiB ring in shared memory; receiving", name,
                    channel.capacity() / 1024);
            try (ChildProcess sender = Spawn.java(Sender.class.getName(), name, String.valueOf(messages)).start()) {
                cleanup.closeOnExit("stop the sender", sender);
                ByteBuffer tick = ByteBuffer.allocate(channel.maxMessageLength());
                long count = 0;
                long sum = 0;
                long start = 0;
                while (true) {
                    int type = receiver.receive(tick.clear(), TIMEOUT);
                    if (count == 0) {
                        start = System.nanoTime();
                    }
                    if (type == DONE) {
                        break;
                    }
                    long seq = tick.getLong(0);
                    long price = tick.getLong(8);
                    sum += price;
                    if (count++ < 3) {
                        Say.parent("<- tick %d: price %d (type %d, %d bytes)", seq, price, type, tick.position());
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Say.parent("received %,d ticks in %.3f s: %,.0f messages/s; sum of prices %d (expected %d)", count,
                        seconds, count / seconds, sum, expectedSum(messages));
                ExitStatus status = sender.waitFor(TIMEOUT);
                Say.parent("sender %d ended: %s", sender.pid(), status);
                return status.succeeded() && count == messages && sum == expectedSum(messages) ? 0 : 1;
            }
        } finally {
            cleanup.runNow();
        }
    }

    static long price(long seq) {
        return 10_000 + seq % 100;
    }

    static long expectedSum(long messages) {
        long sum = 0;
        for (long seq = 0; seq < messages; seq++) {
            sum += price(seq);
        }
        return sum;
    }

    /** The sending process: args are the channel name and the tick count. */
    public static final class Sender {
        public static void main(String[] args) throws IOException {
            try (OneToOneChannel channel = OneToOneChannel.open(args[0])) {
                OneToOneChannel.Sender sender = channel.sender();
                long messages = Long.parseLong(args[1]);
                Say.child("attached to %s as its sender; streaming %,d ticks", args[0], messages);
                ByteBuffer tick = ByteBuffer.allocateDirect(32);
                for (long seq = 0; seq < messages; seq++) {
                    tick.clear().putLong(seq).putLong(price(seq)).putLong(System.nanoTime()).putLong(0).flip();
                    sender.send(TICK, tick, TIMEOUT);
                }
                sender.send(DONE, ByteBuffer.allocate(0), TIMEOUT);
                Say.child("sent %,d ticks and a done message", messages);
            }
        }
    }
}
