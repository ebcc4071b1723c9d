package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.shm.MappedFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A flag in a memory-mapped file, each side spinning until the other's flag moves: no syscall at all. */
public final class SpinMechanism implements Mechanism {
    @Override
    public String id() {
        return "mmap-spin";
    }

    @Override
    public int planScale() {
        return Mechanism.SPINNING_PLAN_SCALE;
    }

    @Override
    public String title() {
        return "mmap'd file, spinning on a flag";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Optional<String> unavailableBecause() {
        return PeerSpin.unavailableOnOneCpu();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        Path path = workDirectory.resolve("flags.mmap");
        MappedFile file = MappedFile.openReadWrite(path, 4096);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(path.toString());
            }

            @Override
            public Endpoint parentEndpoint() {
                return new SharedWordEndpoint(file.buffer(), 0, 64, false, () -> { });
            }

            @Override
            public void close() throws IOException {
                file.close();
                Files.deleteIfExists(path);
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        MappedFile file = MappedFile.openReadWrite(Path.of(arguments.get(0)), 4096);
        return new SharedWordEndpoint(file.buffer(), 64, 0, false, file);
    }
}
