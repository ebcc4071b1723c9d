package io.ipc4j.kv;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How an ipc4j-kv server runs. Defaults follow Redis 7 where one exists, except {@code maxMemory}: Redis's
 * default is unlimited; here it is half the JVM's heap, so that filling the store gets OOM error replies and
 * never an OutOfMemoryError.
 *
 * @param socket         the Unix socket file, or null for none.
 * @param socketMode     its permission bits (0600: only this user may connect).
 * @param tcp            a TCP address to listen on as well, or null (the default: TCP only when asked).
 * @param threads        event-loop threads; commands run one at a time under one lock whatever this is.
 * @param maxClients     connections beyond this get "ERR max number of clients reached" and are closed.
 * @param maxMemory      estimated bytes of keys and values beyond which writes get an OOM error (0: no limit).
 * @param maxBulk        the longest argument accepted (proto-max-bulk-len).
 * @param maxMultibulk   the most arguments in one request.
 * @param outputPause    reply bytes queued for a client beyond which its further requests wait unread.
 * @param outputLimit    reply bytes queued for a client beyond which it is disconnected.
 * @param databases      numbered databases for SELECT.
 */
public record KvConfig(Path socket, int socketMode, InetSocketAddress tcp, int threads, int maxClients,
                       long maxMemory, long maxBulk, int maxMultibulk, long outputPause, long outputLimit,
                       int databases) {
    public KvConfig {
        if (socket == null && tcp == null) {
            throw new IllegalArgumentException("give a Unix socket path, a TCP address, or both");
        }
        if (threads < 1 || maxClients < 1 || databases < 1 || maxBulk < 1 || maxMultibulk < 1) {
            throw new IllegalArgumentException("threads, maxClients, databases, maxBulk and maxMultibulk must be"
                    + " positive");
        }
    }

    /** The documented default socket path: $XDG_RUNTIME_DIR/ipc4j-kv.sock, else /tmp/ipc4j-kv.sock. */
    public static Path defaultSocket() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        return Path.of(runtime != null && !runtime.isBlank() ? runtime : "/tmp", "ipc4j-kv.sock");
    }

    /** Defaults, on the Unix socket {@code socket}. */
    public static KvConfig defaults(Path socket) {
        return new KvConfig(Objects.requireNonNull(socket), 0600, null, 1, 10_000,
                Runtime.getRuntime().maxMemory() / 2, 512L << 20, 1 << 20, 1 << 20, 256L << 20, 16);
    }

    public KvConfig withTcp(InetSocketAddress address) {
        return new KvConfig(socket, socketMode, address, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases);
    }

    public KvConfig withThreads(int n) {
        return new KvConfig(socket, socketMode, tcp, n, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases);
    }

    public KvConfig withMaxClients(int n) {
        return new KvConfig(socket, socketMode, tcp, threads, n, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases);
    }

    public KvConfig withMaxMemory(long bytes) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, bytes, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases);
    }

    public KvConfig withSocketMode(int mode) {
        return new KvConfig(socket, mode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases);
    }

    public KvConfig withLimits(long bulk, int multibulk, long pause, long limit) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, bulk, multibulk, pause, limit,
                databases);
    }
}
