package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Two anonymous pipes; the child inherits one end of each at fds 3 and 4. */
public final class PipeMechanism implements Mechanism {
    @Override
    public String id() {
        return "pipe";
    }

    @Override
    public String title() {
        return "anonymous pipe";
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        Pipe down = Pipe.open();
        Pipe up = Pipe.open();
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of();
            }

            @Override
            public void prepare(Spawn child) throws IOException {
                child.inherit(down.reader(), 3).inherit(up.writer(), 4);
            }

            @Override
            public Endpoint parentEndpoint() {
                down.reader().close();
                up.writer().close();
                return new PipeEndpoint(up.reader(), down.writer());
            }

            @Override
            public void close() {
                down.close();
                up.close();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new PipeEndpoint(PipeReader.fromInherited(3), PipeWriter.fromInherited(4));
    }
}
