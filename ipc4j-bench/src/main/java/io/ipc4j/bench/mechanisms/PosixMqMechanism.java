package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.mq.MqLimits;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Two POSIX queues, one each way, sized for the largest message of the run and the machine's limits; untimed
 * calls, which sleep in the kernel as the C reference's mq_receive and mq_send do (a dead peer ends them: see
 * PeerWatch).
 */
public final class PosixMqMechanism implements Mechanism {

    @Override
    public String id() {
        return "posix-mq";
    }

    @Override
    public String title() {
        return "POSIX message queue";
    }

    @Override
    public Optional<String> cannotCarry(int size) {
        long max = MqLimits.current().posixMaxMessageSize();
        return size > max ? Optional.of("larger than fs.mqueue.msgsize_max = " + max
                + " (/proc/sys/fs/mqueue/msgsize_max; raise it with sysctl, needs CAP_SYS_RESOURCE)") : Optional.empty();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        String base = "/ipc4j-bench-" + Spawn.currentPid();
        int messageSize = Math.max(1, Collections.max(sizes));
        int slots = (int) Math.min(10, MqLimits.current().posixMaxMessages());
        PosixMessageQueue down = PosixMessageQueue.create(base + "-down").maxMessages(slots).messageSize(messageSize)
                .open();
        PosixMessageQueue up = PosixMessageQueue.create(base + "-up").maxMessages(slots).messageSize(messageSize)
                .open();
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(down.name(), up.name());
            }

            @Override
            public Endpoint parentEndpoint() {
                return new QueueEndpoint(up, down);
            }

            @Override
            public void close() throws IOException {
                down.close();
                up.close();
                down.unlink();
                up.unlink();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new QueueEndpoint(PosixMessageQueue.open(arguments.get(0)), PosixMessageQueue.open(arguments.get(1)));
    }

    /**
     * mq_receive needs a buffer with room for the queue's largest message, so messages land in {@code whole} and
     * are copied into the caller's (as C's reference does with its buffer of mq_msgsize, and as this handle's
     * own buffer did before receives refused small buffers).
     */
    private record QueueEndpoint(PosixMessageQueue in, PosixMessageQueue out, ByteBuffer whole) implements Endpoint {
        QueueEndpoint(PosixMessageQueue in, PosixMessageQueue out) {
            this(in, out, ByteBuffer.allocateDirect(in.messageSize()));
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            out.send(message, 0);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            in.receive(whole.clear());
            into.put(whole.flip().limit(Math.min(whole.limit(), into.remaining())));
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
