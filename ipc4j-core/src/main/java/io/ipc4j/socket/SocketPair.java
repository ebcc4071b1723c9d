package io.ipc4j.socket;

/**
 * Two connected Unix domain sockets (socketpair(2)), for a parent and the child it starts: hand one end to
 * the child ({@link io.ipc4j.process.Spawn#inherit}) and close it here. Closing the pair closes both ends.
 *
 * @param <S> the type of socket
 * @param first the first
 * @param second the second
 */
public record SocketPair<S extends NativeSocket>(S first, S second) implements AutoCloseable {
    @Override
    public void close() {
        first.close();
        second.close();
    }
}
