package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Futex ping-pong on two ints of POSIX shared memory: every wait sleeps in the kernel, every send wakes. */
public final class FutexMechanism implements Mechanism {
    @Override
    public String id() {
        return "futex";
    }

    @Override
    public String title() {
        return "futex wait/wake";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        String name = "/ipc4j-bench-futex-" + Spawn.currentPid();
        SharedMemory shm = SharedMemory.create(name, 4096);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(name);
            }

            @Override
            public Endpoint parentEndpoint() {
                return new SharedWordEndpoint(shm.buffer(), 0, 64, true, () -> { });
            }

            @Override
            public void close() throws IOException {
                shm.close();
                shm.unlink();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        SharedMemory shm = SharedMemory.open(arguments.get(0));
        return new SharedWordEndpoint(shm.buffer(), 64, 0, true, shm);
    }
}
