package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A byte stream over a pipe or FIFO pair: messages are written whole and read back to their exact size, with
 * the calls that wait as long as it takes, as the C reference's read(2) and write(2) do (a dead peer ends them:
 * end of stream, or EPIPE).
 */
final class PipeEndpoint implements Endpoint {
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    private final PipeReader reader;
    private final PipeWriter writer;

    PipeEndpoint(PipeReader reader, PipeWriter writer) {
        this.reader = reader;
        this.writer = writer;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        writer.write(message);
    }

    @Override
    public void receive(ByteBuffer into) throws IOException {
        reader.readFully(into);
    }

    @Override
    public void close() {
        reader.close();
        writer.close();
    }
}
