package io.ipc4j.chat;

import io.ipc4j.event.Registration;
import io.ipc4j.socket.StreamSocket;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/** One connected client: its socket, identity, partial input line, queued output and rate budget. */
final class Member {
    final long id;
    final StreamSocket socket;
    final int uid;
    final int pid;
    final long joinedMillis = System.currentTimeMillis();
    final ByteBuffer input;
    /**
     * Lines waiting to be written: shared, never modified, read by absolute index (a broadcast line is one
     * buffer for every member, not a copy each); {@link #headWritten} bytes of the first are written already.
     */
    final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    int headWritten;
    Registration registration;
    String nick;
    long outboundBytes;
    long lastActiveMillis = joinedMillis;
    /** Discarding the rest of a line that was too long. */
    boolean skipping;
    boolean closeWhenFlushed;
    boolean closed;
    double tokens;
    long lastRefillNanos = System.nanoTime();

    Member(long id, StreamSocket socket, int uid, int pid, int maxLine, int burst) {
        this.id = id;
        this.socket = socket;
        this.uid = uid;
        this.pid = pid;
        this.input = ByteBuffer.allocate(maxLine + 2);
        this.tokens = burst;
    }

    /** Takes a token from the bucket: false if the client is over its rate. */
    boolean allow(double perSecond, int burst) {
        if (perSecond <= 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
        lastRefillNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    String describe() {
        return (nick == null ? "(no nick)" : nick) + " (uid " + (uid < 0 ? "?" : uid) + ", pid " + (pid < 0 ? "?" : pid)
                + ")";
    }
}
