package io.ipc4j.chat;

import io.ipc4j.event.Registration;
import io.ipc4j.socket.StreamSocket;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The transport's side of one client: its socket, the peer's credentials, the partial input line and the
 * output waiting to be written. The chat domain sees it only through its {@link Member}.
 */
final class Connection {
    final StreamSocket socket;
    final int uid;
    final int pid;
    final ByteBuffer input;
    /**
     * Lines waiting to be written: shared, never modified, read by absolute index (a broadcast line is one
     * buffer for every member, not a copy each); {@link #headWritten} bytes of the first are written already.
     */
    final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    int headWritten;
    long outboundBytes;
    Registration registration;
    /** Discarding the rest of a line that was too long. */
    boolean skipping;
    boolean closeWhenFlushed;
    boolean closed;
    /** In the batch of sends being made ({@code ChatServer}'s flush). */
    boolean staged;
    /** The chat domain's member on this connection. */
    Member member;

    Connection(StreamSocket socket, int uid, int pid, int maxLine) {
        this.socket = socket;
        this.uid = uid;
        this.pid = pid;
        this.input = ByteBuffer.allocate(maxLine + 2);
    }
}
