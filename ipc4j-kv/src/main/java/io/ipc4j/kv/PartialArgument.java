package io.ipc4j.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A large request argument still arriving. Its bytes are kept in chunks of at most {@link #CHUNK} bytes,
 * allocated as the bytes arrive, and joined into one array when the last byte is in: a header that declares
 * 512 MB and sends nothing costs nothing, and one that sends some costs what it sent plus at most one chunk.
 * The join briefly holds the argument twice; by then all of it has arrived.
 */
final class PartialArgument {
    /** Under half of G1's smallest region (1 MiB), so no chunk is a humongous object. */
    static final int CHUNK = 256 << 10;

    private final int length;
    private final List<byte[]> chunks = new ArrayList<>();
    private int received;
    private int inLast;             // bytes used in the last chunk
    private long allocated;

    PartialArgument(int length) {
        this.length = length;
    }

    /** Moves what {@code in} has of this argument (never its trailing CRLF) into the chunks. */
    void take(ByteBuffer in) {
        while (missing() > 0 && in.hasRemaining()) {
            if (chunks.isEmpty() || inLast == chunks.getLast().length) {
                byte[] chunk = new byte[Math.min(CHUNK, missing())];
                chunks.add(chunk);
                allocated += chunk.length;
                inLast = 0;
            }
            byte[] last = chunks.getLast();
            int n = Math.min(in.remaining(), last.length - inLast);
            in.get(last, inLast, n);
            inLast += n;
            received += n;
        }
    }

    int missing() {
        return length - received;
    }

    /** The whole argument; call once {@link #missing()} is 0. */
    byte[] join() {
        if (chunks.size() == 1 && chunks.getFirst().length == length) {
            return chunks.getFirst();
        }
        byte[] whole = new byte[length];
        int at = 0;
        for (byte[] chunk : chunks) {
            System.arraycopy(chunk, 0, whole, at, chunk.length);
            at += chunk.length;
        }
        chunks.clear();
        return whole;
    }

    long heldBytes() {
        return allocated;
    }
}
