package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Two FIFOs in the bench's work directory; the child knows only their paths. */
public final class FifoMechanism implements Mechanism {
    @Override
    public String id() {
        return "fifo";
    }

    @Override
    public String title() {
        return "FIFO (named pipe)";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        Fifo down = Fifo.create(workDirectory.resolve("down.fifo"));
        Fifo up = Fifo.create(workDirectory.resolve("up.fifo"));
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(down.path().toString(), up.path().toString());
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                PipeWriter writer = down.openWriter(PipeEndpoint.PEER_TIMEOUT);
                PipeReader reader = up.openReader(PipeEndpoint.PEER_TIMEOUT);
                return new PipeEndpoint(reader, writer);
            }

            @Override
            public void close() throws IOException {
                down.remove();
                up.remove();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        PipeReader reader = Fifo.open(Path.of(arguments.get(0))).openReader(PipeEndpoint.PEER_TIMEOUT);
        PipeWriter writer = Fifo.open(Path.of(arguments.get(1))).openWriter(PipeEndpoint.PEER_TIMEOUT);
        return new PipeEndpoint(reader, writer);
    }
}
