package io.ipc4j.channel;

import io.ipc4j.pipe.PipeReader;

import java.nio.ByteBuffer;
import java.time.Duration;

/** The sender of the doorbell test. */
final class DoorbellChildren {
    private DoorbellChildren() {
    }

    /**
     * args: channel, paced count, burst count. Sends the paced messages one at a time, each after the receiver's
     * ack (a byte on the pipe at fd 3), so that the receiver is asleep when each comes; then the burst without
     * waiting. Message i carries the long i. Prints "sent N rings R".
     */
    static final class Sender {
        public static void main(String[] args) throws Exception {
            long paced = Long.parseLong(args[1]);
            long burst = Long.parseLong(args[2]);
            Duration limit = Duration.ofSeconds(60);
            try (OneToOneChannel channel = OneToOneChannel.open(args[0]);
                 PipeReader acks = PipeReader.fromInherited(3)) {
                OneToOneChannel.Sender sender = channel.sender();
                ByteBuffer message = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                ByteBuffer ack = ByteBuffer.allocate(1);
                long i = 0;
                for (; i < paced; i++) {
                    sender.send(1, message.clear().putLong(0, i), limit);
                    acks.read(ack.clear(), limit);
                }
                for (; i < paced + burst; i++) {
                    sender.send(1, message.clear().putLong(0, i), limit);
                }
                System.out.println("sent " + i + " rings " + channel.doorbellRings());
            }
        }
    }
}
