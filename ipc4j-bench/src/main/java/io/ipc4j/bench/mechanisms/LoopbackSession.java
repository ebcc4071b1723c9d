package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A session whose child reaches the parent on a loopback port, its one argument (the TCP and UDP rows, ipc4j's
 * and the JDK's alike).
 *
 * @param port     the parent's port
 * @param parent   what the parent does once the child is started: accept it, or read its hello
 * @param resource the parent's listening or bound socket, closed with the session
 */
record LoopbackSession(int port, ParentSide parent, Closeable resource) implements Mechanism.Session {
    /** The parent's side of the exchange, made once the child is started. */
    @FunctionalInterface
    interface ParentSide {
        Endpoint meetChild() throws IOException;
    }

    @Override
    public List<String> childArguments() {
        return List.of(String.valueOf(port));
    }

    @Override
    public Endpoint parentEndpoint() throws IOException {
        return parent.meetChild();
    }

    @Override
    public void close() throws IOException {
        resource.close();
    }
}
