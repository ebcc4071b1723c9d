package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.socket.StreamSocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** ipc4j's own stream socket (Unix or TCP): messages written whole and read to their exact size. */
final class StreamSocketEndpoint implements Endpoint {
    private final StreamSocket socket;

    StreamSocketEndpoint(StreamSocket socket) {
        this.socket = socket;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        socket.write(message); // all of it, waiting for room
    }

    @Override
    public void receive(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (socket.read(into) < 0) {
                throw new EOFException("the peer closed the connection");
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
