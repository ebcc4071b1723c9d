package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A mechanism ipc4j does not offer yet: listed as not available, with the reason, never hidden. */
public record NotYetBuilt(String id, String title, String reason) implements Mechanism {
    @Override
    public Optional<String> unavailableBecause() {
        return Optional.of(reason);
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) {
        throw new UnsupportedOperationException(reason);
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) {
        throw new UnsupportedOperationException(reason);
    }
}
