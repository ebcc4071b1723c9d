package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.process.Spawn;
import io.ipc4j.sync.PosixSemaphore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Ping-pong on two POSIX named semaphores. */
public final class PosixSemMechanism implements Mechanism {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String id() {
        return "posix-sem";
    }

    @Override
    public String title() {
        return "POSIX semaphore";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        String base = "/ipc4j-bench-sem-" + Spawn.currentPid();
        PosixSemaphore down = PosixSemaphore.create(base + "-down", 0);
        PosixSemaphore up = PosixSemaphore.create(base + "-up", 0);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(down.name(), up.name());
            }

            @Override
            public Endpoint parentEndpoint() {
                return new SemEndpoint(up, down);
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
        return new SemEndpoint(PosixSemaphore.open(arguments.get(0)), PosixSemaphore.open(arguments.get(1)));
    }

    private record SemEndpoint(PosixSemaphore in, PosixSemaphore out) implements Endpoint {
        @Override
        public void send(ByteBuffer message) throws IOException {
            out.release();
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            in.acquire(PEER_TIMEOUT);
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
