package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Ping-pong on a System V set of two semaphores (semop, waiting in the kernel). */
public final class SysVSemMechanism implements Mechanism {
    @Override
    public String id() {
        return "sysv-sem";
    }

    @Override
    public String title() {
        return "System V semaphore";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 0, 0);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(String.valueOf(set.id()));
            }

            @Override
            public Endpoint parentEndpoint() {
                return new SemEndpoint(set, 1, 0);
            }

            @Override
            public void close() throws IOException {
                set.remove();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new SemEndpoint(SysVSemaphoreSet.ofId(Integer.parseInt(arguments.get(0))), 0, 1);
    }

    private static final class SemEndpoint implements Endpoint {
        private final SysVSemaphoreSet set;
        private final SemOp take;
        private final SemOp give;

        SemEndpoint(SysVSemaphoreSet set, int in, int out) {
            this.set = set;
            this.take = SemOp.add(in, -1);
            this.give = SemOp.add(out, 1);
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            set.operate(give);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            set.operate(take);
        }

        @Override
        public void close() {
        }
    }
}
