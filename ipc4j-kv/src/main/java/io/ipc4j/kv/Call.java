package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One command being run: its arguments, the client, the reply, the clock. Reused per connection. */
final class Call {
    final KvServer server;
    final Client client;
    final Reply reply;
    final Commands.NameKey probe = new Commands.NameKey(new byte[0]);
    byte[][] args;
    private final Key[] keys = new Key[8];
    String name;
    long now;
    /** False inside EXEC and when a blocked client is served: blocking commands answer at once instead. */
    boolean mayBlock = true;
    /** Running the commands of an EXEC: what follows each command waits for the EXEC's end. */
    boolean inExec;
    /** Serving a blocked client because this key became ready: a multi-key pop takes from it only. */
    Key servedKey;
    /**
     * What the append-only log records for this command if it changed data: null for the command as sent,
     * {@link #NOT_LOGGED}, or its deterministic form (absolute expiry times, the members SPOP chose, the
     * non-blocking form of a served blocking pop).
     */
    byte[][] propagate;
    static final byte[][] NOT_LOGGED = new byte[0][];

    /** The commandstats counters of the commands run since {@link #beginBatch}, for {@link #endBatch}. */
    private long[][] batch = new long[16][];
    private int batchSize;
    private long batchStarted;

    /**
     * Starts a batch: the requests one client's input held, run under one hold of the store lock (or one
     * request on its own). The clock is read here, not per request: a pipelined request is a few hundred
     * nanoseconds of work, and each clock reading costs about 30 ns on this VM (perf put 19% of a pipelined
     * GET's server CPU in clock_gettime when three were read per request). {@link #now} stands still for
     * the batch until {@link #readClock}.
     */
    void beginBatch() {
        readClock();
        batchStarted = System.nanoTime();
        batchSize = 0;
    }

    /** Reads the wall clock into {@link #now} (a long batch does, every so many requests). */
    void readClock() {
        now = System.currentTimeMillis();
    }

    /** A command of this batch ran: it gets its share of the batch's time at {@link #endBatch}. */
    void ran(long[] stats) {
        if (batchSize == batch.length) {
            batch = java.util.Arrays.copyOf(batch, batchSize * 2);
        }
        batch[batchSize++] = stats;
    }

    /**
     * Ends the batch: each command run in it is charged an equal share of its time (INFO commandstats' usec;
     * exact when a batch runs one kind of command, as pipelines and single requests do). Under the store lock.
     */
    void endBatch() {
        if (batchSize == 0) {
            return;
        }
        long share = (System.nanoTime() - batchStarted) / batchSize;
        for (int i = 0; i < batchSize; i++) {
            batch[i][1] += share;
            batch[i] = null;
        }
        batchSize = 0;
    }

    /** Which of {@link #keys} were made for this request (bit i: argument i). */
    private int keysMade;

    /** A new request: its arguments, with no keys made for them yet. */
    void request(byte[][] arguments) {
        args = arguments;
        keysMade = 0;
        for (int i = 0; i < keys.length; i++) { // only a pooled argument's key may be of use again
            if (keys[i] != null && keys[i].bytes.length > ArgumentPool.MAX_LENGTH) {
                keys[i] = null;
            }
        }
    }

    Call(KvServer server, Client client, Reply reply) {
        this.server = server;
        this.client = client;
        this.reply = reply;
    }

    Keyspace keyspace() {
        return server.keyspace;
    }

    Database db() {
        return server.keyspace.databases[client.db];
    }

    /** Argument {@code i} as a key; made once per request and argument (a command looks a key up more than once). */
    Key key(int i) {
        if (i >= keys.length) {
            return new Key(args[i]);
        }
        Key k = keys[i];
        if (k != null && k.bytes == args[i]) {
            if ((keysMade & 1 << i) == 0) {
                k.rehash(); // the same array in a new request: a pooled argument, with new bytes
                keysMade |= 1 << i;
            }
            return k;
        }
        k = new Key(args[i]);
        keys[i] = k;
        keysMade |= 1 << i;
        return k;
    }

    int argc() {
        return args.length;
    }

    /** Argument {@code i} as lower-case text, for option names. */
    String word(int i) {
        return new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    String text(int i) {
        return new String(args[i], StandardCharsets.UTF_8);
    }

    long longArg(int i) throws KvError {
        return Numbers.parseLong(args[i]);
    }

    /** The string at key {@code i}, or null if there is none; WRONGTYPE if it holds another type. */
    byte[] string(int i) throws KvError {
        Database.Entry e = read(i);
        if (e == null) {
            return null;
        }
        if (e.value instanceof byte[] b) {
            return b;
        }
        throw KvError.WRONGTYPE;
    }

    /** The value of {@code type} at key {@code i}, or null if there is none; WRONGTYPE if another type. */
    <T extends Aggregate> T existing(int i, Class<T> type) throws KvError {
        return as(read(i), type);
    }

    /** As {@link #existing}, for any key. */
    <T extends Aggregate> T existing(Key key, Class<T> type) throws KvError {
        return as(read(key), type);
    }

    /** The value of {@code type} at key {@code i}, stored new and empty if there is none. */
    <T extends Aggregate> T create(int i, Class<T> type, java.util.function.Supplier<T> empty) throws KvError {
        return create(key(i), type, empty);
    }

    /** As {@link #create}, for any key. */
    <T extends Aggregate> T create(Key key, Class<T> type, java.util.function.Supplier<T> empty) throws KvError {
        T found = existing(key, type);
        if (found != null) {
            return found;
        }
        T made = empty.get();
        db().put(key, made, false, now);
        return made;
    }

    /**
     * HDEL, SREM, ZREM: removes each argument from {@code from} on from the value at key 1, drops the key if
     * that empties it, and replies how many were there.
     */
    <T extends Aggregate> void removeEach(Class<T> type, int from, java.util.function.BiPredicate<T, Key> remove)
            throws KvError {
        T value = existing(1, type);
        long n = 0;
        for (int i = from; value != null && i < argc(); i++) {
            if (remove.test(value, new Key(args[i]))) {
                n++;
            }
        }
        dropIfEmpty(1, value);
        reply.integer(n);
    }

    /** Removes key {@code i} if its aggregate has become empty (Redis never keeps an empty one). */
    void dropIfEmpty(int i, Aggregate value) {
        dropIfEmpty(key(i), value);
    }

    /** As {@link #dropIfEmpty(int, Aggregate)}, for any key. */
    void dropIfEmpty(Key key, Aggregate value) {
        if (value != null && value.isEmpty()) {
            db().delete(key, now);
        }
    }

    private static <T extends Aggregate> T as(Database.Entry e, Class<T> type) throws KvError {
        if (e == null) {
            return null;
        }
        if (type.isInstance(e.value)) {
            return type.cast(e.value);
        }
        throw KvError.WRONGTYPE;
    }

    /**
     * BLPOP, BRPOP, BZPOPMIN, BZPOPMAX found nothing: blocks on every argument but the last (the timeout), or
     * inside EXEC answers nil at once.
     */
    void blockOnKeysBeforeTimeout(long deadline, java.util.function.Predicate<Object> servable) {
        if (!mayBlock) {
            reply.nullArray();
            return;
        }
        java.util.List<Key> keys = new java.util.ArrayList<>();
        for (int i = 1; i < argc() - 1; i++) {
            keys.add(key(i));
        }
        block(keys, deadline, servable);
    }

    /** Blocks this client on {@code keys} (see {@link Blocking}); the command replies when served. */
    void block(java.util.List<Key> keys, long deadline, java.util.function.Predicate<Object> servable) {
        server.blocking.block(this, keys, deadline, servable);
    }

    /** Logs this command as {@code parts} (each a String or a byte[]) instead of as sent. */
    void propagate(Object... parts) {
        byte[][] args = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            args[i] = parts[i] instanceof byte[] b ? b : String.valueOf(parts[i]).getBytes(StandardCharsets.UTF_8);
        }
        propagate = args;
    }

    /** Whether a multi-key pop may take from key {@code i}: any key, unless serving one ready key. */
    boolean mayPopFrom(int i) {
        return servedKey == null || servedKey.equals(key(i));
    }

    /** The live entry for key {@code i}, counting a keyspace hit or miss. */
    Database.Entry read(int i) {
        return read(key(i));
    }

    private Database.Entry read(Key key) {
        Database.Entry e = db().lookup(key, now);
        if (e == null) {
            server.keyspace.keyspaceMisses++;
        } else {
            server.keyspace.keyspaceHits++;
        }
        return e;
    }
}
