package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.mq.MqLimits;
import io.ipc4j.mq.QueueRemovedException;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Two private System V queues, one each way; untimed calls, which block in the kernel. The parent's endpoint
 * removes the queues when it closes, which ends a wait on a dead child (see PeerWatch).
 */
public final class SysVMqMechanism implements Mechanism {
    @Override
    public String id() {
        return "sysv-mq";
    }

    @Override
    public String title() {
        return "System V message queue";
    }

    @Override
    public Optional<String> cannotCarry(int size) {
        long max = MqLimits.current().sysvMaxMessageSize();
        return size > max ? Optional.of("larger than kernel.msgmax = " + max + " (/proc/sys/kernel/msgmax; "
                + "raise it with sysctl)") : Optional.empty();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        SysVMessageQueue down = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        SysVMessageQueue up = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(String.valueOf(down.id()), String.valueOf(up.id()));
            }

            @Override
            public Endpoint parentEndpoint() {
                return new QueueEndpoint(up, down, true);
            }

            @Override
            public void close() throws IOException {
                removeIfThere(down);
                removeIfThere(up);
            }
        };
    }

    /** Removes {@code queue} unless it is gone already (its creator's endpoint removes it when it closes). */
    private static void removeIfThere(SysVMessageQueue queue) throws IOException {
        try {
            queue.remove();
        } catch (QueueRemovedException e) {
            // removed by the parent's endpoint
        }
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new QueueEndpoint(SysVMessageQueue.ofId(Integer.parseInt(arguments.get(0))),
                SysVMessageQueue.ofId(Integer.parseInt(arguments.get(1))), false);
    }

    /**
     * One side's queues. The parent's, their creator's, removes them when it closes, for a close is how the bench
     * ends an exchange whose child died (PeerWatch), and a System V queue's removal, not a close, is what ends an
     * untimed msgrcv.
     */
    private record QueueEndpoint(SysVMessageQueue in, SysVMessageQueue out, boolean creator) implements Endpoint {
        @Override
        public void send(ByteBuffer message) throws IOException {
            out.send(1, message);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            in.receive(into, 0);
        }

        @Override
        public void close() throws IOException {
            try {
                if (creator) {
                    removeIfThere(in);
                    removeIfThere(out);
                }
            } finally {
                in.close();
                out.close();
            }
        }
    }
}
