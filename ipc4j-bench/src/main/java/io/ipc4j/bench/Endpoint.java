package io.ipc4j.bench;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One side of a mechanism under measurement. For mechanisms that carry no payload (futex, semaphores, a
 * flag in shared memory), {@code send} signals the peer and {@code receive} waits for its signal.
 */
public interface Endpoint extends AutoCloseable {
    /** Sends the buffer's remaining bytes as one message, waiting while the mechanism is full. */
    void send(ByteBuffer message) throws IOException;

    /** Receives one message of exactly the buffer's remaining bytes, waiting for it. */
    void receive(ByteBuffer into) throws IOException;

    @Override
    void close() throws IOException;
}
