package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A blocking JDK socket channel (Unix or TCP stream): messages written whole and read to their exact size. */
final class ChannelEndpoint implements Endpoint {
    private final SocketChannel channel;

    ChannelEndpoint(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        while (message.hasRemaining()) {
            channel.write(message);
        }
    }

    @Override
    public void receive(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new EOFException("the peer closed the connection");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
