package io.ipc4j.kv;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param persistence    the append-only log, or {@link Persistence#none()}.
 * @param busyPoll       how long an event loop polls before it sleeps, after a turn that had work
 *                       ({@link io.ipc4j.event.EventLoop#busyPoll}); zero: never. Not used when the loops would
 *                       take every CPU the JVM may use, where polling would take a client's CPU.
 */
public record KvConfig(Path socket, int socketMode, InetSocketAddress tcp, int threads, int maxClients,
                       long maxMemory, long maxBulk, int maxMultibulk, long outputPause, long outputLimit,
                       int databases, long maxQueryBuffer, long maxQueryMemory, String password,
                       boolean protectedMode, Persistence persistence, Duration busyPoll) {
    /**
     * The default busy-poll time. Measured on 2026-12-02 on a 2-CPU VM with redis-benchmark (-c 50) on the
     * other CPU, in interleaved rounds against redis-server (README): ten unpipelined tests rose from 0.94-1.01
     * of Redis's rate to 1.03-1.10, pipelined GET and PING_MBULK from 0.98 and 0.95 to 1.03 and 1.08, for
     * 13-37% more server CPU per request: the client no longer pays a cross-CPU wake-up of the server for most
     * of its requests.
     */
    public static final Duration DEFAULT_BUSY_POLL = Duration.ofNanos(20_000);

    /** Checks the values: a socket or a TCP address, positive limits, no empty password. */
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
        Objects.requireNonNull(persistence, "persistence: give Persistence.none() for no log");
        if (busyPoll == null || busyPoll.isNegative()) {
            throw new IllegalArgumentException("busyPoll must be zero (off) or positive, not " + busyPoll);
        }
        if (password != null && password.isEmpty()) {
            throw new IllegalArgumentException("an empty password would let anyone in: give none, or a real one");
        }
    }

    /**
     * Defaults, on the Unix socket {@code socket}.
     *
     * @param socket the Unix socket's path
     * @return the default configuration
     */
    public static KvConfig defaults(Path socket) {
        long heap = Runtime.getRuntime().maxMemory();
        return new KvConfig(Objects.requireNonNull(socket), 0600, null, 1, 10_000, heap / 2, 512L << 20, 1 << 20,
                1 << 20, 256L << 20, 16, 1L << 30, heap / 4, null, true, Persistence.none(), DEFAULT_BUSY_POLL);
    }

    /**
     * Also listens on TCP.
     *
     * @param address the TCP address, or null for none
     * @return the new configuration
     */
    public KvConfig withTcp(InetSocketAddress address) {
        return new KvConfig(socket, socketMode, address, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * Serves with {@code n} event loop threads.
     *
     * @param n how many threads
     * @return the new configuration
     */
    public KvConfig withThreads(int n) {
        return new KvConfig(socket, socketMode, tcp, n, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * Refuses connections beyond {@code n} clients.
     *
     * @param n the most clients
     * @return the new configuration
     */
    public KvConfig withMaxClients(int n) {
        return new KvConfig(socket, socketMode, tcp, threads, n, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * Refuses writes once the data takes {@code bytes} (0: no limit), as Redis's maxmemory with noeviction.
     *
     * @param bytes the most bytes of data
     * @return the new configuration
     */
    public KvConfig withMaxMemory(long bytes) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, bytes, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * The Unix socket file's permission bits.
     *
     * @param mode the permission bits, such as {@code 0600}
     * @return the new configuration
     */
    public KvConfig withSocketMode(int mode) {
        return new KvConfig(socket, mode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk, outputPause,
                outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * Protocol and output limits.
     *
     * @param bulk the longest argument in bytes
     * @param multibulk the most arguments a request may have
     * @param pause queued reply bytes at which a client's reading pauses
     * @param limit queued reply bytes at which a client is disconnected
     * @return the new configuration
     */
    public KvConfig withLimits(long bulk, int multibulk, long pause, long limit) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, bulk, multibulk, pause, limit,
                databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, busyPoll);
    }

    /**
     * Limits on memory held by unfinished requests: per client, and for all clients together.
     *
     * @param perClient the most bytes one client's unfinished requests may hold
     * @param allClients the most bytes all clients' unfinished requests may hold together
     * @return the new configuration
     */
    public KvConfig withQueryLimits(long perClient, long allClients) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, perClient, allClients, password, protectedMode, persistence,
                busyPoll);
    }

    /**
     * Clients must AUTH with {@code secret} first (null: no password).
     *
     * @param secret the password, or null for none
     * @return the new configuration
     */
    public KvConfig withPassword(String secret) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, secret, protectedMode, persistence,
                busyPoll);
    }

    /**
     * Protected mode on or off (see the class comment).
     *
     * @param on whether protected mode is on
     * @return the new configuration
     */
    public KvConfig withProtectedMode(boolean on) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, on, persistence,
                busyPoll);
    }

    /**
     * Logs writes to an append-only file and replays it on start.
     *
     * @param log where and how
     * @return the new configuration
     */
    public KvConfig withPersistence(Persistence log) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode, log,
                busyPoll);
    }

    /**
     * Polls for this long before an event loop sleeps, after a turn that had work (see {@code busyPoll}).
     *
     * @param time how long; zero turns busy polling off
     * @return the new configuration
     */
    public KvConfig withBusyPoll(Duration time) {
        return new KvConfig(socket, socketMode, tcp, threads, maxClients, maxMemory, maxBulk, maxMultibulk,
                outputPause, outputLimit, databases, maxQueryBuffer, maxQueryMemory, password, protectedMode,
                persistence, time);
    }

    @Override
    public String toString() { // never the password
        return "KvConfig[socket=" + socket + ", tcp=" + tcp + ", password=" + (password == null ? "none" : "set")
                + ", protectedMode=" + protectedMode + "]";
    }
}
