package io.ipc4j.channel;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Child-process mains for the channel tests. */
final class ChannelChildren {
    private ChannelChildren() {
    }

    /** The message number {@code seq}: its size from {@code random}, bytes (seq + i), type seq % 7. */
    static void fill(ByteBuffer buffer, long seq, int size) {
        buffer.clear();
        for (int i = 0; i < size; i++) {
            buffer.put((byte) (seq + i));
        }
        buffer.flip();
    }

    /** args: channel, count, seed. Sends count messages of random sizes (0..256), then prints the CRC. */
    static final class Producer {
        public static void main(String[] args) throws Exception {
            long count = Long.parseLong(args[1]);
            SplittableRandom random = new SplittableRandom(Long.parseLong(args[2]));
            CRC32C crc = new CRC32C();
            try (OneToOneChannel channel = OneToOneChannel.open(args[0])) {
                OneToOneChannel.Sender sender = channel.sender();
                ByteBuffer buffer = ByteBuffer.allocateDirect(256);
                for (long seq = 0; seq < count; seq++) {
                    fill(buffer, seq, random.nextInt(257));
                    crc.update(buffer.duplicate());
                    sender.send((int) (seq % 7), buffer, Duration.ofSeconds(60));
                }
            }
            System.out.println("sent " + count + " crc " + Long.toHexString(crc.getValue()));
        }
    }

    /** args: many-to-one channel, producer id, count. Sends [id, seq] messages, then prints "done". */
    static final class ManyProducer {
        public static void main(String[] args) throws Exception {
            int id = Integer.parseInt(args[1]);
            long count = Long.parseLong(args[2]);
            try (ManyToOneChannel channel = ManyToOneChannel.open(args[0])) {
                ManyToOneChannel.Sender sender = channel.sender();
                ByteBuffer buffer = ByteBuffer.allocateDirect(16);
                for (long seq = 0; seq < count; seq++) {
                    buffer.clear().putLong(id).putLong(seq).flip();
                    sender.send(id, buffer, Duration.ofSeconds(60));
                }
            }
            System.out.println("done");
        }
    }

    /** args: broadcast log, count. Transmits count messages [seq, seq * 31] as fast as it can. */
    static final class Broadcaster {
        public static void main(String[] args) throws Exception {
            long count = Long.parseLong(args[1]);
            try (BroadcastLog log = BroadcastLog.open(args[0])) {
                BroadcastLog.Sender writer = log.sender();
                ByteBuffer buffer = ByteBuffer.allocateDirect(16);
                for (long seq = 0; seq < count; seq++) {
                    writer.offer(3, buffer.clear().putLong(seq).putLong(seq * 31).flip());
                }
            }
            System.out.println("transmitted " + count);
        }
    }

    /** args: channel. Streams numbered messages as fast as the ring takes them until it is killed. */
    static final class EndlessProducer {
        public static void main(String[] args) throws Exception {
            try (OneToOneChannel channel = OneToOneChannel.open(args[0])) {
                OneToOneChannel.Sender sender = channel.sender();
                ByteBuffer buffer = ByteBuffer.allocateDirect(8);
                System.out.println("streaming");
                for (long seq = 0; ; seq++) {
                    buffer.clear().putLong(seq).flip();
                    sender.send(1, buffer, Duration.ofMinutes(5));
                }
            }
        }
    }

    /** args: channel, n. Sends n small messages, says "sent", then waits to be killed. */
    static final class SendThenHang {
        public static void main(String[] args) throws Exception {
            try (OneToOneChannel channel = OneToOneChannel.open(args[0])) {
                OneToOneChannel.Sender sender = channel.sender();
                for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                    sender.send(1, ByteBuffer.wrap(new byte[] {(byte) i}), Duration.ofSeconds(60));
                }
                System.out.println("sent");
                Thread.sleep(Duration.ofMinutes(5));
            }
        }
    }

    /**
     * args: ping channel, pong channel, role (echo | client), count. Both sides use the default wait strategies;
     * the echo side creates nothing, it opens both channels. Each prints how many empty polls it spins before
     * sleeping, the round trips done (and, the client, a checksum of what came back), then its lost wake-ups.
     */
    static final class PingPong {
        public static void main(String[] args) throws Exception {
            boolean client = args[2].equals("client");
            int count = Integer.parseInt(args[3]);
            try (OneToOneChannel ping = OneToOneChannel.open(args[0]);
                 OneToOneChannel pong = OneToOneChannel.open(args[1])) {
                OneToOneChannel.Sender out = (client ? ping : pong).sender();
                RingReceiver in = (client ? pong : ping).receiver();
                ByteBuffer buffer = ByteBuffer.allocate(64);
                CRC32C crc = new CRC32C();
                System.out.println("spins " + RingChannel.spinsBeforeSleeping());
                for (int i = 0; i < count; i++) {
                    if (client) {
                        fill(buffer, i, 64);
                        out.send(1, buffer, Duration.ofSeconds(30));
                        in.receive(buffer.clear(), Duration.ofSeconds(30));
                        crc.update(buffer.flip());
                    } else {
                        in.receive(buffer.clear(), Duration.ofSeconds(30));
                        out.send(1, buffer.flip(), Duration.ofSeconds(30));
                    }
                }
                System.out.println("round trips " + count + (client ? " crc " + crc.getValue() : ""));
                System.out.println("missed wake-ups " + in.missedWakeups());
            }
        }
    }
}
