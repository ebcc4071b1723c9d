package io.ipc4j.kv;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How an ipc4j-kv server runs. Defaults follow Redis 7 where one exists, except {@code maxMemory}: Redis's
 * default is unlimited; here it is half the JVM's heap, so that filling the store gets OOM error replies and
 * never an OutOfMemoryError; and {@code maxQueryMemory}, which Redis does not have, a quarter of the heap.
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
 * @param maxQueryBuffer bytes one client's unfinished requests may hold before it is disconnected
 *                       (client-query-buffer-limit).
 * @param maxQueryMemory bytes all clients' unfinished requests may hold together; the client whose input
 *                       would pass it is disconnected. Memory is taken as request bytes arrive, never as
 *                       a request's headers declare.
 * @param password       the password AUTH must give before any other command (requirepass), or null.
 * @param protectedMode  when no password is set, refuse TCP clients (Redis's protected-mode, applied to
 *                       loopback as well; the Unix socket's file mode is its access control).
 */
public record KvConfig(Path socket, int socketMode, InetSocketAddress tcp, int threads, int maxClients,
                       long maxMemory, long maxBulk, int maxMultibulk, long outputPause, long outputLimit,
                       int databases, long maxQueryBuffer, long maxQueryMemory, String password,
                       boolean protectedMode) {
    public KvConfig {
        if (socket == null && tcp == null) {
            throw new IllegalArgumentException("give a Unix socket path, a TCP address, or both");
        }
        if (threads < 1 || maxClients < 1 || databases < 1 || maxBulk < 1 || maxMultibulk < 1
                || maxQueryBuffer < 1 || maxQueryMemory < 1) {
            throw new IllegalArgumentException("threads, maxClients, databases, maxBulk, maxMultibulk,"
                    + " maxQueryBuffer and maxQueryMemory must be positive");
        }
        if (maxMemory < 0) {
            throw new IllegalArgumentException("maxMemory must be 0 (no limit) or positive, not " + maxMemory);
        }
        if (password != null && password.isEmpty()) {
            throw new IllegalArgumentException("an empty password would let anyone in: give none, or a real one");
        }
    }

    /** Defaults, on the Unix socket {@code socket}. */
    public static KvConfig defaults(Path socket) {
        long heap = Runtime.getRuntime().maxMemory();
        return new KvConfig(Objects.requireNonNull(socket), 0600, null, 1, 10_000, heap / 2, 512L << 20, 1 << 20,
                1 << 20, 256L << 20, 16, 1L << 30, heap / 4, null, true);
    }

    public KvConfig withTcp(InetSocketAddress address) {
        return new KvConfig(socket, socketMode, address, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    public KvConfig withThreads(int n) {
        return new KvConfig(socket, socketMode, tcp, n, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    public KvConfig withMaxClients(int n) {
        return new KvConfig(socket, socketMode, tcp, threads, n, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    public KvConfig withMaxMemory(long bytes) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, bytes, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    public KvConfig withSocketMode(int mode) {
        return new KvConfig(socket, mode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    public KvConfig withLimits(long bulk, int multibulk, long pause, long limit) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, bulk, multibulk, pause, limit,
                databases, maxQueryBuffer, maxQueryMemory, password, protectedMode);
    }

    /** Limits on memory held by unfinished requests: per client, and for all clients together. */
    public KvConfig withQueryLimits(long perClient, long allClients) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, perClient, allClients, password, protectedMode);
    }

    /** Clients must AUTH with {@code secret} first (null: no password). */
    public KvConfig withPassword(String secret) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, secret, protectedMode);
    }

    /** Protected mode on or off (see the class comment). */
    public KvConfig withProtectedMode(boolean on) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, on);
    }

    @Override
    public String toString() { // never the password
        return "KvConfig[socket=" + socket + ", tcp=" + tcp + ", password=" + (password == null ? "none" : "set")
                + ", protectedMode=" + protectedMode + "]";
    }
}
