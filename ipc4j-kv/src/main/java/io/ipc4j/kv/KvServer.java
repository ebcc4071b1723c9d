package io.ipc4j.kv;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.event.Trigger;
import io.ipc4j.socket.Endpoint;
import io.ipc4j.socket.InetEndpoint;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.SendBatch;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A key-value server speaking Redis's protocol (RESP2, and RESP3 after HELLO 3) over a Unix domain socket (and
 * TCP when asked), with Redis 7.0's strings, lists, hashes, sets and sorted sets, blocking pops, pub/sub and
 * transactions, an optional append-only file and RDB snapshots ({@link KvConfig#persistence()}): redis-cli,
 * redis-benchmark and Redis client libraries work against it unchanged, and redis-server reads its files.
 *
 * <h2>Design</h2>
 * Event loops on ipc4j's own {@link EventLoop} and native sockets (one loop by default;
 * {@link KvConfig#threads()}), each owning its connections; the first also accepts and hands connections
 * round-robin. What the store sends a client from elsewhere (a message it subscribed to, the answer to a
 * blocking pop another client's push served) reaches it through its own loop ({@link Mailbox}). Commands run
 * one at a time under a single store lock,
 * taken once per batch of pipelined requests, which gives every command Redis's atomicity with no per-key
 * locking. On two cores one loop is the right default: the clients need the other core. After a turn with
 * work a loop polls for more before it sleeps ({@link KvConfig#busyPoll()}), so that a busy client's request
 * finds it awake instead of paying to wake it. A client's replies
 * are queued; once more than {@code outputPause} bytes wait, its further requests stay unread until the
 * queue drains, and beyond {@code outputLimit} it is disconnected, so a client that stops reading cannot make
 * the server's memory grow without bound.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} binds (the socket file gets its mode at once; a stale file is replaced, a live server's
 * never), replays the append-only file if there is one (without one, loads dump.rdb if there is one), and
 * returns; {@link #shutdown} (or the SHUTDOWN
 * command) stops accepting, removes the socket file, finishes the replies in flight (5 s at most), closes the
 * connections, writes and forces the log, and ends the loops.
 */
public final class KvServer implements AutoCloseable {
    static final String VERSION = "7.0.0";
    /**
     * Refusal of a TCP client in protected mode. Unlike Redis, loopback clients are refused too: on a shared
     * machine any local user can reach loopback, while the Unix socket's file mode keeps them out.
     */
    static final String PROTECTED = "-DENIED ipc4j-kv is running in protected mode: TCP clients are refused while"
            + " no password is set, loopback included, since any local user can reach it. Connect through the Unix"
            + " socket (its file mode is the access control), or restart with --requirepass PASSWORD (clients then"
            + " AUTH), or with --protected-mode no if every user of this machine may read and change the data.\r\n";
    private static final long DRAIN_MILLIS = 5_000;
    /** A batch of requests reads the wall clock again after this many (see {@link Call#beginBatch}). */
    private static final int CLOCK_EVERY = 64;

    final KvConfig config;
    final Keyspace keyspace;
    final Settings settings;
    /** SAVE and BGSAVE. */
    final RdbSave rdb;
    /** What BGREWRITEAOF and BGSAVE take of this server: the store lock for each chunk, and rdb-key-save-delay. */
    private final SnapshotWalk.Store walkStore;
    final Memory memory;
    final Blocking blocking = new Blocking(this);
    final Watches watches;
    final PubSub pubsub = new PubSub();
    /** Serving blocked clients now: changes made meanwhile are noted, served by the loop already running. */
    private boolean serving;
    /** The append-only log, or null (appendonly no). Replaced only under the store lock. */
    private volatile AppendOnlyFile aof;
    private final java.util.concurrent.atomic.AtomicInteger loopsRunning = new java.util.concurrent.atomic.AtomicInteger();
    final ReentrantLock storeLock = new ReentrantLock();
    final long startedMillis = System.currentTimeMillis();
    final AtomicLong connectionsReceived = new AtomicLong();
    final AtomicLong rejectedConnections = new AtomicLong();
    long commandsProcessed; // under storeLock
    /** Bytes all clients' unfinished requests hold (see {@link KvConfig#maxQueryMemory()}). */
    final AtomicLong queryBytes = new AtomicLong();
    private volatile Throwable failure;
    final Map<Long, Client> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong(1);
    private final SocketServer<StreamSocket> unix;
    private final SocketServer<StreamSocket> tcp;
    private final List<Loop> loops = new ArrayList<>();
    private final CountDownLatch stopped;
    private volatile boolean stopping;
    private int nextLoop;

    private KvServer(KvConfig config) throws IOException {
        this.config = config;
        this.keyspace = new Keyspace(config.databases());
        this.settings = new Settings(config);
        this.memory = new Memory(keyspace, settings);
        this.walkStore = new SnapshotWalk.Store(storeLock, () -> settings.keySaveDelayMicros);
        this.rdb = new RdbSave(keyspace, walkStore, startedMillis);
        this.watches = new Watches(keyspace);
        SocketServer<StreamSocket> u = null;
        SocketServer<StreamSocket> t = null;
        try {
            if (config.socket() != null) {
                u = SocketServer.stream(UnixEndpoint.path(config.socket()), config.socketMode(), 4096);
            }
            if (config.tcp() != null) {
                t = SocketServer.stream(new InetEndpoint(config.tcp().getAddress(), config.tcp().getPort()), 0,
                        4096);
            }
        } catch (IOException | RuntimeException e) {
            if (u != null) {
                u.close();
            }
            if (t != null) {
                t.close();
            }
            throw e;
        }
        this.unix = u;
        this.tcp = t;
        this.stopped = new CountDownLatch(config.threads());
    }

    /**
     * Binds and starts serving; returns once clients can connect.
     *
     * @param config the configuration
     * @return the running server
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static KvServer start(KvConfig config) throws IOException {
        KvServer server = new KvServer(config);
        try {
            server.openLog();
        } catch (IOException | RuntimeException e) {
            server.closeListeners();
            throw e;
        }
        for (int i = 0; i < config.threads(); i++) {
            server.loops.add(server.new Loop(i));
        }
        Loop first = server.loops.getFirst();
        if (server.unix != null) {
            first.loop.register(server.unix, Interest.READ, Trigger.LEVEL, server.unix);
        }
        if (server.tcp != null) {
            first.loop.register(server.tcp, Interest.READ, Trigger.LEVEL, server.tcp);
        }
        server.loopsRunning.set(server.loops.size());
        for (Loop loop : server.loops) {
            Thread.ofPlatform().name("ipc4j-kv-loop-" + loop.index).start(loop);
        }
        return server;
    }

    /**
     * The Unix socket file, if any.
     *
     * @return the Unix socket file, if any
     */
    public Path socket() {
        return unix == null ? null : config.socket();
    }

    /**
     * The TCP port, if listening on TCP (useful with port 0).
     *
     * @return the TCP port, if listening on TCP
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public int tcpPort() throws IOException {
        return tcp == null ? -1 : ((InetEndpoint) tcp.endpoint()).port();
    }

    /** Stops the server as described in the class comment; returns at once. Idempotent. */
    public void shutdown() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeListeners();
        loops.forEach(l -> l.loop.wakeup());
    }

    /**
     * Waits until the loops have ended after {@link #shutdown}.
     *
     * @param timeout the longest this call waits
     * @param unit the unit of {@code timeout}
     * @return whether they ended in time
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    /** Shuts down and waits for the loops (at most a little longer than the reply drain time). */
    @Override
    public void close() {
        shutdown();
        try {
            awaitStopped(DRAIN_MILLIS + 2_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Why an event loop ended abnormally (then the server stopped), or null.
     *
     * @return why an event loop ended abnormally, or null
     */
    public Throwable failure() {
        return failure;
    }

    boolean isStopping() {
        return stopping;
    }

    private void closeListeners() {
        if (unix != null) {
            unix.close(); // removes the socket file, if it is still this server's
        }
        if (tcp != null) {
            tcp.close();
        }
    }

    Collection<Client> clients() {
        return clients.values();
    }

    /** Acts on the keys changed since the last call: WATCH and blocked clients. Under the store lock. */
    void afterChanges() {
        if (keyspace.touched.isEmpty()) {
            return;
        }
        List<Keyspace.DbKey> changed = List.copyOf(keyspace.touched);
        keyspace.touched.clear();
        watches.changed(changed);
        blocking.changed(changed);
    }

    /** After each command (after a whole EXEC): acts on its changes and serves blocked clients. */
    void afterCommand() {
        afterChanges();
        if (serving || !blocking.hasReady()) {
            return;
        }
        serving = true;
        try {
            blocking.serveReady();
        } finally {
            serving = false;
        }
    }

    /**
     * With appendonly: replays the log into the store, then opens it for appending. A log damaged before its
     * end stops the start (see {@link AofLoader}).
     */
    private void openLog() throws IOException {
        Persistence p = config.persistence();
        if (!p.appendOnly()) {
            loadSnapshot(p.snapshot());
            return;
        }
        long started = System.nanoTime();
        AofLoader.Result loaded = AofLoader.load(p.file(), this);
        if (loaded.commands() > 0) {
            System.err.println("[ipc4j-kv] loaded " + loaded.commands() + " commands from " + p.file() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms: " + keyspace.keys() + " keys");
        }
        forgetLoadingChanges();
        aof = AppendOnlyFile.open(p);
    }

    /** Without a log, loads DIR/dump.rdb if there is one, as Redis does; a damaged one stops the start. */
    private void loadSnapshot(Path rdb) throws IOException {
        if (!Files.isRegularFile(rdb)) {
            return;
        }
        long started = System.nanoTime();
        RdbLoader.Result loaded = RdbLoader.load(rdb, keyspace, System.currentTimeMillis());
        System.err.println("[ipc4j-kv] loaded " + loaded.keys() + " keys from " + rdb + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms" + (loaded.expired() > 0
                ? " (" + loaded.expired() + " expired keys left out)" : ""));
        forgetLoadingChanges();
    }

    /** What loading the data put in the store is where the server starts from, not a change to log or watch. */
    private void forgetLoadingChanges() {
        keyspace.touched.clear();
        keyspace.changes = 0;
    }

    private void closeLog() {
        storeLock.lock();
        try {
            try {
                rdb.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                System.err.println("[ipc4j-kv] could not remove an unfinished BGSAVE's file: " + e.getMessage());
            }
            AppendOnlyFile log = aof;
            aof = null;
            if (log != null) {
                log.close();
            }
        } finally {
            storeLock.unlock();
        }
    }

    /** Logs a command that changed data (after it ran). Under the store lock. */
    void logged(int db, byte[][] command) {
        AppendOnlyFile log = aof;
        if (log != null) {
            log.log(db, command);
        }
    }

    /** Logs the keys evicted for maxmemory as deletions. Under the store lock. */
    void logEvictions() {
        if (keyspace.evicted.isEmpty()) {
            return;
        }
        AppendOnlyFile log = aof;
        if (log != null) {
            for (Keyspace.DbKey k : keyspace.evicted) {
                log.logEviction(k.db(), k.key());
            }
        }
        keyspace.evicted.clear();
    }

    /** An EXEC starts (true) or ends: the log wraps its changes in MULTI and EXEC. Under the store lock. */
    void transactionLogged(boolean begins) {
        AppendOnlyFile log = aof;
        if (log != null) {
            if (begins) {
                log.beginTransaction();
            } else {
                log.endTransaction();
            }
        }
    }

    /** Before a loop sends replies: the commands they acknowledge reach the log first. */
    void beforeReplies() {
        AppendOnlyFile log = aof;
        if (log != null) {
            log.beforeReplies();
        }
    }

    /**
     * BGREWRITEAOF. Under the store lock.
     *
     * @return null if started, else why not
     */
    String rewriteLog() {
        AppendOnlyFile log = aof;
        if (log == null) {
            return "ERR ipc4j-kv rewrites the append-only file while appendonly is yes: start the server with"
                    + " --appendonly yes, or CONFIG SET appendonly yes";
        }
        if (rdb.inProgress()) {
            return "ERR Background save in progress: BGREWRITEAOF can start when it has ended";
        }
        return log.startRewrite(keyspace, walkStore) ? null : "ERR Background append only file rewriting already in progress";
    }

    /** The running rewrite's walk over the data, or null. Under the store lock. */
    SnapshotWalk rewriteWalk() {
        AppendOnlyFile log = aof;
        return log == null ? null : log.rewriteWalk();
    }

    long aofRewrites() {
        AppendOnlyFile log = aof;
        return log == null ? 0 : log.rewritesStarted();
    }

    /** CLIENT KILL: the client's own loop closes it; a client killing itself gets its reply first. */
    void mailboxKill(Call killer, Client c) {
        if (c == killer.client) {
            c.closeAfterReply = true;
        } else {
            c.mailbox.kill(c);
        }
    }

    boolean aofEnabled() {
        return aof != null;
    }

    boolean aofRewriting() {
        AppendOnlyFile log = aof;
        return log != null && log.rewriting();
    }

    String aofRewriteStatus() {
        AppendOnlyFile log = aof;
        return log == null ? "ok" : log.lastRewriteStatus();
    }

    /**
     * CONFIG SET applied: appendonly yes starts a fresh log with a rewrite of the data (as Redis does), no
     * closes it; a new appendfsync reopens it. Under the store lock.
     */
    void configChanged() throws KvError {
        boolean wanted = settings.get("appendonly").equals("yes");
        Persistence.Fsync fsync = Persistence.Fsync.parse(settings.get("appendfsync"));
        AppendOnlyFile log = aof;
        if (wanted && log == null && rdb.inProgress()) { // the new log starts with a rewrite, which needs the walk
            settings.set(List.<String[]>of(new String[] {"appendonly", "no"}));
            throw new KvError("ERR Background save in progress: CONFIG SET appendonly yes can be done when it has"
                    + " ended");
        }
        try {
            if (wanted && (log == null || log.fsync() != fsync)) {
                if (log != null) {
                    log.close();
                }
                Persistence p = new Persistence(true, fsync, config.persistence().dir());
                aof = AppendOnlyFile.open(p);
                if (log == null) {
                    aof.startRewrite(keyspace, walkStore);
                }
            } else if (!wanted && log != null) {
                aof = null;
                log.close();
            }
        } catch (IOException e) {
            throw new KvError("ERR " + e.getMessage());
        }
    }

    /** Where SAVE and BGSAVE write: dir/dbfilename. */
    Path snapshotFile() {
        return config.persistence().dir().resolve(settings.get("dbfilename"));
    }

    /** Forgets what the store holds for a client that is leaving. Under the store lock. */
    void forget(Client c) {
        if (c.blocked != null) {
            blocking.cancel(c.blocked);
        }
        pubsub.forget(c);
        watches.unwatchAll(c);
    }

    /** One event loop: its connections, and (for the first) the listeners and active expiry. */
    private final class Loop implements Runnable, Mailbox {
        private static final Duration TICK = Duration.ofMillis(100);
        /** Most bytes of one client's replies a batch sends (as one gathered send did). */
        private static final int GATHER_BYTES = 64 * 1024;
        private static final int BATCH_CLIENTS = 256;
        private static final int BATCH_STAGING = 1024 * 1024;
        /** A batch takes no more clients once less than this is left of its staging buffer. */
        private static final int MIN_STAGED = 4096;
        final int index;
        final EventLoop loop;
        final ConcurrentLinkedQueue<StreamSocket> handedOver = new ConcurrentLinkedQueue<>();
        /** This loop's clients; touched by its thread only. */
        private final Set<Client> owned = new LinkedHashSet<>();
        /** Clients whose replies go out once every ready client of this batch has been read. */
        private final List<Client> pendingFlush = new ArrayList<>();
        /** Their replies' sends, one system call a batch where the kernel has io_uring. */
        private final SendBatch batch = SendBatch.open(BATCH_CLIENTS);
        /** The clients of the batch being sent, by entry, and their replies' bytes (direct: the kernel reads it). */
        private final List<Client> batched = new ArrayList<>();
        private final ByteBuffer staging = ByteBuffer.allocateDirect(BATCH_STAGING);
        /** Clients with mail from other loops' threads. */
        private final ConcurrentLinkedQueue<Client> arrivals = new ConcurrentLinkedQueue<>();
        /** Clients of this loop that were unblocked or killed by a command this loop ran. */
        private final List<Client> resumed = new ArrayList<>();
        /** This loop's blocked clients by deadline; an entry whose wait has ended is skipped. */
        private final java.util.PriorityQueue<Blocking.Wait> deadlines =
                new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(w -> w.deadline));
        private volatile Thread thread;
        private final String failedMessage;

        Loop(int index) throws IOException {
            this.index = index;
            this.failedMessage = "[ipc4j-kv] event loop " + index + " failed, so the server stopped. If the cause"
                    + " below is an OutOfMemoryError: lower --maxmemory, or give the JVM more heap (-Xmx; through"
                    + " ./ipc4j: IPC4J_JAVA_OPTS=-Xmx8g)";
            this.loop = EventLoop.open();
            if (config.threads() < Runtime.getRuntime().availableProcessors()) {
                loop.busyPoll(config.busyPoll()); // else polling would take a client's CPU
            }
        }

        @Override
        public void run() {
            Throwable failed = null;
            thread = Thread.currentThread();
            try {
                long drainDeadline = 0;
                while (true) {
                    loop.select(selectTimeout());
                    if (index == 0) {
                        expireActively();
                    }
                    registerHandedOver();
                    List<Registration> ready = loop.ready();
                    for (int i = 0; i < ready.size(); i++) {
                        handle(ready.get(i));
                    }
                    deliverMail();
                    endExpiredWaits();
                    flushPending();
                    if (stopping) {
                        if (drainDeadline == 0) {
                            drainDeadline = System.currentTimeMillis() + DRAIN_MILLIS;
                            pauseAll();
                        }
                        if (allDrained() || System.currentTimeMillis() > drainDeadline) {
                            break;
                        }
                    }
                }
            } catch (Throwable e) {
                failed = e;
                failure = e;
                stopping = true; // no allocation here: this may be an OutOfMemoryError
                loops.forEach(l -> l.loop.wakeup());
            } finally {
                try {
                    releaseAll();
                    if (loopsRunning.decrementAndGet() == 0) {
                        closeLog(); // the last loop out: every reply has gone, the log is complete
                    }
                } finally {
                    stopped.countDown(); // whatever happened, the waiting main thread must learn of it
                }
            }
            if (failed != null) {
                closeListeners();
                // built before anything failed: printing must not need memory the loop may have run out of
                System.err.println(failedMessage);
                System.err.println("[ipc4j-kv] the cause: " + failed);
            }
        }

        private void releaseAll() {
            for (Client c : List.copyOf(owned)) {
                close(c);
            }
            for (StreamSocket left; (left = handedOver.poll()) != null; ) {
                left.close();
            }
            loop.close();
            batch.close();
        }

        @SuppressWarnings("unchecked")
        private void handle(Registration r) {
            if (!r.isValid()) {
                return;
            }
            if (r.attachment() instanceof SocketServer<?> listener) {
                acceptAll((SocketServer<StreamSocket>) listener);
                return;
            }
            Client c = (Client) r.attachment();
            try {
                if (r.isWritable()) {
                    writable(c);
                }
                if (!c.closed && r.isReadable()) {
                    read(c);
                }
            } catch (IOException e) {
                close(c); // the peer reset or vanished
            } catch (OutOfMemoryError e) {
                closeForMemory(c, "serving");
            }
        }

        /**
         * Most likely this client's request or replies needed the memory: closing it gives that back (close
         * discards its unfinished request and queued replies); if not, the next failure stops the loop (see run).
         */
        private void closeForMemory(Client c, String doing) {
            close(c);
            System.err.println("[ipc4j-kv] out of memory while " + doing + " client " + c.id + " (" + c.address
                    + "); closed it. Lower --maxmemory or the query limits, or give the JVM more heap (-Xmx;"
                    + " through ./ipc4j: IPC4J_JAVA_OPTS=-Xmx8g)");
        }

        private void acceptAll(SocketServer<StreamSocket> listener) {
            while (!stopping) {
                StreamSocket channel;
                try {
                    channel = listener.acceptNow();
                } catch (IOException e) {
                    System.err.println("[ipc4j-kv] accept: " + e);
                    return;
                }
                if (channel == null) {
                    return;
                }
                connectionsReceived.incrementAndGet();
                if (clients.size() >= settings.maxClients) {
                    refuse(channel, "-ERR max number of clients reached\r\n");
                    continue;
                }
                if (listener == tcp && config.password() == null && config.protectedMode()) {
                    refuse(channel, PROTECTED);
                    continue;
                }
                Loop target = loops.get(nextLoop++ % loops.size());
                target.handedOver.add(channel);
                if (target != this) {
                    target.loop.wakeup();
                } else {
                    registerHandedOver();
                }
            }
        }

        /** Tells a refused client why (one reply, a second at most), then closes it. */
        private void refuse(StreamSocket channel, String reply) {
            rejectedConnections.incrementAndGet();
            try (channel) {
                channel.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)), Duration.ofSeconds(1));
            } catch (IOException ignored) {
                // the refused client is gone already, or does not read
            }
        }

        private void registerHandedOver() {
            StreamSocket channel;
            while ((channel = handedOver.poll()) != null) {
                try {
                    long id = nextClientId.getAndIncrement();
                    Client c = new Client(id, channel, describe(channel, config), KvServer.this, config);
                    c.mailbox = this;
                    c.registration = loop.register(channel, Interest.READ, Trigger.LEVEL, c);
                    owned.add(c);
                    clients.put(id, c);
                } catch (IOException e) {
                    channel.close();
                }
            }
        }

        private void read(Client c) throws IOException {
            if (c.closeAfterReply) {
                return; // its input was discarded: nothing more is read from it
            }
            if (c.blocked != null && c.inputFull()) {
                // blocked with a full buffer of requests after the blocking one: stop reading until it resumes
                // (its flush then reads again); reading on would have nowhere to put the bytes
                c.registration.interest(Interest.NONE);
                return;
            }
            if (!c.fill()) {
                close(c);
                return;
            }
            process(c);
            if (!c.closed) {
                enforceQueryLimits(c);
            }
        }

        /**
         * Disconnects a client whose unfinished requests hold more than its limit, or whose input takes all
         * clients' together past theirs (client-query-buffer-limit, and a server-wide bound Redis lacks).
         */
        private void enforceQueryLimits(Client c) throws IOException {
            long own = c.accountedQueryBytes;
            String over = null;
            if (own > config.maxQueryBuffer()) {
                over = "its unfinished request holds " + own + " bytes, over the client query buffer limit of "
                        + config.maxQueryBuffer();
            } else if (own > 0 && queryBytes.get() > config.maxQueryMemory()) {
                over = "unfinished requests of all clients hold " + queryBytes.get() + " bytes, over the limit of "
                        + config.maxQueryMemory() + " (this client's: " + own + ")";
            }
            if (over == null) {
                return;
            }
            System.err.println("[ipc4j-kv] closing client " + c.id + " (" + c.address + "): " + over);
            c.discardInput();
            account(c);
            c.reply.error("ERR closing the connection: " + over);
            c.closeAfterReply = true;
            flush(c);
        }

        /** Brings the server's total of unfinished-request bytes up to date with this client's. */
        private void account(Client c) {
            long now = c.closed ? 0 : c.queryBytes();
            long delta = now - c.accountedQueryBytes;
            if (delta != 0) {
                c.accountedQueryBytes = now;
                queryBytes.addAndGet(delta);
            }
        }

        /**
         * Runs the whole requests in the client's input. Their replies go out after every ready client of
         * this batch has been read ({@link #flushPending}), as Redis writes in its beforeSleep: each client
         * then gets its replies in one burst with the others', and wakes once for them, not once per reply.
         * If replies pile up beyond the pause threshold first, they are written at once and the requests go
         * on while they drain as fast as they are made; the client stops (paused) when they do not.
         */
        private void process(Client c) throws IOException {
            while (true) {
                boolean stoppedForOutput = runRequests(c);
                if (!stoppedForOutput) {
                    if (!c.flushPending) {
                        c.flushPending = true;
                        pendingFlush.add(c);
                    }
                    return;
                }
                if (!flush(c) || c.paused) {
                    return;
                }
            }
        }

        /**
         * Writes the replies {@link #process} left for the end of the batch: up to {@link #GATHER_BYTES} of each
         * client's in one {@link SendBatch} (one system call for them all, where the kernel has io_uring), then
         * the rest of each {@link #flush} (more replies than that, a full socket, closing, interest).
         */
        private void flushPending() {
            if (pendingFlush.isEmpty()) {
                return;
            }
            beforeReplies(); // the log's promise comes before any reply leaves
            for (int from = 0; from < pendingFlush.size(); ) {
                from = sendBatch(from);
            }
            for (int i = 0; i < pendingFlush.size(); i++) {
                Client c = pendingFlush.get(i);
                c.flushPending = false;
                try {
                    flush(c);
                } catch (IOException e) {
                    close(c); // the peer reset or vanished
                } catch (OutOfMemoryError e) {
                    closeForMemory(c, "writing to");
                }
            }
            pendingFlush.clear();
        }

        /**
         * Sends the replies of {@link #pendingFlush}'s clients from {@code from}, as many clients as fit in the
         * batch and its staging buffer: the index of the first one left. A client whose send failed is left for
         * {@link #flush}, whose own send then reports it.
         */
        private int sendBatch(int from) {
            staging.clear();
            int i = from;
            for (; i < pendingFlush.size() && !batch.isFull() && staging.remaining() >= MIN_STAGED; i++) {
                Client c = pendingFlush.get(i);
                if (c.closed || c.reply.isEmpty()) {
                    continue;
                }
                int start = staging.position();
                c.reply.copyTo(staging, Math.min(GATHER_BYTES, staging.remaining()));
                batch.add(c.socket, staging, start, staging.position() - start);
                batched.add(c);
            }
            batch.send();
            for (int j = 0; j < batched.size(); j++) {
                if (batch.failure(j) == null) {
                    batched.get(j).reply.consume(batch.sent(j));
                }
            }
            batch.clear();
            batched.clear();
            return i;
        }

        /** Runs requests until the input has no whole one left: true if it stopped because replies piled up. */
        private boolean runRequests(Client c) {
            c.input.flip();
            boolean locked = false;
            int run = 0;
            try {
                while (!c.closeAfterReply && c.blocked == null) {
                    if (c.reply.pending() >= config.outputPause()) {
                        return true;
                    }
                    byte[][] request;
                    try {
                        request = c.parser.next(c.input);
                    } catch (RespParser.ProtocolException e) {
                        c.reply.error("ERR " + e.getMessage());
                        c.closeAfterReply = true;
                        c.input.position(c.input.limit());
                        c.parser.discard();
                        break;
                    }
                    if (request == null) {
                        break;
                    }
                    if (request.length == 0) {
                        continue;
                    }
                    if (!locked) {
                        storeLock.lock();
                        locked = true;
                        c.call.beginBatch();
                    } else if (++run % CLOCK_EVERY == 0) {
                        c.call.readClock();
                    }
                    Commands.executeInBatch(c.call, request);
                }
                return false;
            } finally {
                if (locked) {
                    c.call.endBatch();
                    storeLock.unlock();
                }
                c.compact();
                account(c);
            }
        }

        /**
         * Writes what the socket takes and sets the client's interest: reading unless its replies are piling up
         * (paused) or it is closing, writing while replies remain. False if the client was closed.
         */
        private boolean flush(Client c) throws IOException {
            if (c.closed) {
                return false;
            }
            beforeReplies();
            boolean all = c.reply.writeTo(c.socket);
            if (all && c.closeAfterReply) {
                close(c);
                return false;
            }
            if (c.reply.pending() > config.outputLimit()) {
                System.err.println("[ipc4j-kv] closing client " + c.id + " (" + c.address + "): "
                        + c.reply.pending() + " bytes of replies unread, over the limit of " + config.outputLimit());
                close(c);
                return false;
            }
            c.paused = c.reply.pending() >= config.outputPause() || stopping;
            boolean reading = !c.paused && !c.closeAfterReply;
            Interest interest = all ? (reading ? Interest.READ : Interest.NONE)
                    : (reading ? Interest.READ_WRITE : Interest.WRITE);
            c.registration.interest(interest); // a syscall only when it changes
            return true;
        }

        /** The socket took more replies: resumes a paused client's waiting requests once they drained enough. */
        private void writable(Client c) throws IOException {
            boolean wasPaused = c.paused;
            if (flush(c) && wasPaused && !c.paused) {
                process(c);
            }
        }

        private void pauseAll() {
            for (Client c : List.copyOf(owned)) {
                try {
                    flush(c);
                } catch (IOException e) {
                    close(c);
                }
            }
        }

        private boolean allDrained() {
            for (Client c : owned) {
                if (!c.reply.isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        private void close(Client c) {
            if (c.closed) {
                return;
            }
            c.closed = true;
            clients.remove(c.id);
            owned.remove(c);
            c.discardInput(); // first: after an OutOfMemoryError, this gives the memory back
            account(c);
            c.reply.discard();
            if (c.holdsStoreState()) {
                storeLock.lock();
                try {
                    forget(c);
                } finally {
                    storeLock.unlock();
                }
            }
            c.socket.close(); // leaves the loop too
        }

        @Override
        public void deliver(Client client, byte[] frame, boolean resume) {
            if (Thread.currentThread() == thread) {
                if (frame.length > 0) {
                    client.reply.encoded(frame);
                }
                if (resume) {
                    resumed.add(client);
                } else if (!client.flushPending) {
                    client.flushPending = true;
                    pendingFlush.add(client);
                }
                return;
            }
            if (frame.length > 0) {
                client.mail.add(frame);
            }
            if (resume) {
                client.resume = true;
            }
            post(client);
        }

        @Override
        public void blockedUntil(Client client, Blocking.Wait wait) {
            if (wait.deadline != 0) {
                deadlines.add(wait);
            }
        }

        @Override
        public void kill(Client client) {
            client.killed = true;
            if (Thread.currentThread() == thread) {
                resumed.add(client);
            } else {
                post(client);
            }
        }

        private void post(Client client) {
            if (client.mailQueued.compareAndSet(false, true)) {
                arrivals.add(client);
                loop.wakeup();
            }
        }

        /** Writes mail from the store into its clients' replies, and resumes clients that were unblocked. */
        private void deliverMail() throws IOException {
            while (true) {
                Client c = arrivals.poll();
                if (c == null) {
                    if (resumed.isEmpty()) {
                        return;
                    }
                    c = resumed.removeFirst();
                } else {
                    c.mailQueued.set(false);
                    for (byte[] frame; (frame = c.mail.poll()) != null; ) {
                        c.reply.encoded(frame);
                    }
                    if (c.resume) {
                        c.resume = false;
                    } else if (!c.killed) {
                        if (!c.flushPending) {
                            c.flushPending = true;
                            pendingFlush.add(c);
                        }
                        continue;
                    }
                }
                if (c.closed) {
                    continue;
                }
                if (c.killed) {
                    close(c);
                    continue;
                }
                try {
                    process(c);
                } catch (IOException e) {
                    close(c);
                }
            }
        }

        /** Ends the waits of blocked clients whose deadline has passed: a null reply, then their next requests. */
        private void endExpiredWaits() throws IOException {
            long now = System.currentTimeMillis();
            while (!deadlines.isEmpty() && deadlines.peek().deadline <= now) {
                Blocking.Wait w = deadlines.poll();
                boolean ended;
                storeLock.lock();
                try {
                    ended = blocking.cancel(w);
                } finally {
                    storeLock.unlock();
                }
                if (ended && !w.client.closed) {
                    w.client.reply.nullArray();
                    try {
                        process(w.client);
                    } catch (IOException e) {
                        close(w.client);
                    }
                }
            }
        }

        private Duration selectTimeout() {
            if (deadlines.isEmpty()) {
                return TICK;
            }
            long left = deadlines.peek().deadline - System.currentTimeMillis();
            return left >= TICK.toMillis() ? TICK : Duration.ofMillis(Math.max(0, left));
        }

        private void expireActively() {
            if (!storeLock.tryLock()) {
                return;
            }
            try {
                keyspace.expireDue(System.currentTimeMillis(), 20_000);
                AppendOnlyFile log = aof;
                if (log != null && !rdb.inProgress() && log.wantsRewrite()) {
                    log.startRewrite(keyspace, walkStore);
                }
            } finally {
                storeLock.unlock();
            }
        }
    }

    private static String describe(StreamSocket channel, KvConfig config) {
        try {
            Endpoint remote = channel.remoteEndpoint().orElse(null);
            if (remote instanceof InetEndpoint inet) {
                return inet.address().getHostAddress() + ":" + inet.port();
            }
            return config.socket() + ":0"; // as Redis shows Unix clients
        } catch (IOException e) {
            return "?";
        }
    }
}
