package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A byte stream over a pipe or FIFO pair: messages are written whole and read back to their exact size. */
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
        writer.write(message, PEER_TIMEOUT);
    }

    @Override
    public void receive(ByteBuffer into) throws IOException {
        reader.readFully(into, PEER_TIMEOUT);
    }

    @Override
    public void close() {
        reader.close();
        writer.close();
    }
}
