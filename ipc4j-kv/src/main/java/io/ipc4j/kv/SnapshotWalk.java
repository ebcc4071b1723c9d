package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The data as it was when a BGREWRITEAOF began, handed to the rewrite a chunk at a time, so that the server
 * goes on serving while the file is written. Redis forks a child whose memory the kernel copies page by page
 * when the parent writes to it; this is the same idea, key by key.
 *
 * <p>Starting costs nothing but each database's next sequence number: the keys that existed then are those
 * with smaller numbers. {@link #next} walks them in sequence order, copying each (a string by reference,
 * since strings are never changed in place; an aggregate's elements, flat: {@link FrozenAggregate}), a large
 * aggregate over several chunks. A key that is about to change, or to be deleted, before the walk has reached
 * it is copied first ({@link #preserve}, which {@link Database} and {@link Aggregate} call before every
 * change), and so is the rest of an aggregate the walk is in the middle of. So every key is written as it
 * was at the start, and the commands logged since then, which the rewrite appends, bring the file up to the
 * present. Keys made after the start are not walked (the log has their commands); a key that expires before
 * the walk reaches it is left out (had anything changed it, it would have been copied), and so are the keys
 * FLUSHDB and FLUSHALL remove (the log replays them after whatever was written).
 *
 * <p>Cost: a null check per change while no rewrite runs; during one, a copy of each key that changes before
 * the walk reaches it (reported as {@code current_cow_size}: one pass over a changed aggregate's elements),
 * and the store lock held for one chunk at a time: at most {@link #CHUNK} keys and elements.
 *
 * <p>Not thread-safe: every method is called under the store lock.
 */
final class SnapshotWalk {
    /** The most keys plus aggregate elements one chunk copies (a larger aggregate takes several chunks). */
    static final int CHUNK = 512;

    /** The walk's aggregate copied in steps: its key, as it was when its copy began. */
    private record Partial(int db, Database.Entry entry, byte[] key, long expireAt, FrozenAggregate.Copy copy) {
        AofSnapshot.Item finish() {
            return new AofSnapshot.Item(db, key, copy.finish(), expireAt);
        }
    }

    private final int chunk;

    private final Keyspace keyspace;
    /** Per database: keys with a smaller sequence number existed at the start. */
    private final long[] end;
    /** Per database: the last sequence number walked. */
    private final long[] walked;
    /** The database being walked; those before it are done. */
    private int db;
    /** Entries copied before a change and not yet passed by the walk (which skips them). */
    private final Set<Database.Entry> preserved = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Copies made before a change, for the next chunk. */
    private final List<AofSnapshot.Item> saved = new ArrayList<>();
    /** The aggregate the walk is in the middle of copying, or null. */
    private Partial partial;
    private final long total;
    private long processed;
    private long preservedBytes;

    private SnapshotWalk(Keyspace keyspace, int chunk) {
        this.keyspace = keyspace;
        this.chunk = chunk;
        int n = keyspace.databases.length;
        end = new long[n];
        walked = new long[n];
        for (int i = 0; i < n; i++) {
            end[i] = keyspace.databases[i].nextSeq();
        }
        total = keyspace.keys();
    }

    /** Starts a walk of {@code keyspace} as it is now and attaches it, so that every change tells it. */
    static SnapshotWalk start(Keyspace keyspace) {
        return start(keyspace, CHUNK);
    }

    /** As {@link #start(Keyspace)}, with chunks of at most {@code chunk} keys and elements (tests: small ones). */
    static SnapshotWalk start(Keyspace keyspace, int chunk) {
        if (keyspace.walk != null) {
            throw new IllegalStateException("a walk of the keyspace is already running");
        }
        SnapshotWalk walk = new SnapshotWalk(keyspace, chunk);
        keyspace.walk = walk;
        return walk;
    }

    /** {@code e}, in {@code database}, is about to change or go: copies it if the walk has not reached it. */
    void preserve(Database database, Database.Entry e) {
        if (partial != null && partial.entry == e) {
            saved.add(partial.finish());
            partial = null;
            preservedBytes += Database.memory(e.value);
            return;
        }
        if (pending(database.index, e.seq) && preserved.add(e)) {
            AofSnapshot.Item copy = copy(database, e);
            saved.add(copy);
            preservedBytes += Database.memory(e.value);
        }
    }

    private boolean pending(int database, long seq) {
        return seq < end[database] && (database > db || database == db && seq > walked[database]);
    }

    /**
     * The next chunk of keys as they were at the start: the copies made before changes since the last chunk,
     * then the walk's next keys, at most {@link #CHUNK} keys and elements ({@code oneKey}: one key, or the
     * next {@link #CHUNK} elements of a large aggregate's copy). An aggregate whose copy does not fit is
     * handed out by the chunk that finishes it. Empty when the walk is {@link #done}, which also detaches it.
     */
    List<AofSnapshot.Item> next(long now, boolean oneKey) {
        List<AofSnapshot.Item> out = new ArrayList<>(saved);
        saved.clear();
        int budget = chunk;
        int keys = oneKey ? 1 : Integer.MAX_VALUE;
        if (partial != null) {
            budget -= partial.copy().step(budget);
            if (partial.copy().done()) {
                out.add(partial.finish());
                partial = null;
                keys--;
            }
        }
        while (db < end.length && partial == null && budget > 0 && keys > 0) {
            Database database = keyspace.databases[db];
            boolean more = false;
            for (Database.Entry e : database.after(walked[db])) {
                if (e.seq >= end[db]) {
                    break;
                }
                walked[db] = e.seq;
                if (preserved.remove(e) || e.expireAt != 0 && e.expireAt <= now) {
                    continue;
                }
                budget--;
                if (e.value instanceof Aggregate a) {
                    Partial p = new Partial(db, e, e.key.bytes, e.expireAt, FrozenAggregate.copy(a));
                    budget -= p.copy().step(Math.max(budget, 0));
                    if (!p.copy().done()) {
                        partial = p;
                        more = true;
                        break;
                    }
                    out.add(p.finish());
                } else {
                    out.add(new AofSnapshot.Item(db, e.key.bytes, e.value, e.expireAt));
                }
                if (budget <= 0 || --keys == 0) {
                    more = true;
                    break;
                }
            }
            if (!more) {
                db++;
            }
        }
        processed += out.size();
        if (done()) {
            detach();
        }
        return out;
    }

    /**
     * What a background walk (BGREWRITEAOF, BGSAVE) needs of the server: its store lock, taken for each chunk,
     * and rdb-key-save-delay, the microseconds to wait after each key (0: none), read between chunks.
     */
    record Store(Lock lock, LongSupplier keySaveDelayMicros) {
    }

    /** Where {@link #handOut} puts each key; may block (it is called without the store lock). */
    interface Sink {
        void accept(AofSnapshot.Item item) throws java.io.IOException;
    }

    /**
     * From a background thread: hands every key to {@code sink}, taking the store lock for each chunk and
     * letting it go while the sink writes. While the store's rdb-key-save-delay is set, a chunk is one key (or
     * {@link #CHUNK} elements of a large aggregate's copy), and the walk waits that long after each (re-read
     * every 10 ms).
     *
     * @throws java.io.IOException  from the sink, or if {@code stopping} turns true
     * @throws InterruptedException if interrupted while waiting for the lock
     */
    void handOut(Store store, BooleanSupplier stopping, Sink sink)
            throws java.io.IOException, InterruptedException {
        boolean finished = false;
        while (!finished) {
            if (stopping.getAsBoolean()) {
                throw new java.io.IOException("the server is stopping");
            }
            long delay = store.keySaveDelayMicros().getAsLong();
            List<AofSnapshot.Item> items;
            store.lock().lockInterruptibly();
            try {
                items = next(System.currentTimeMillis(), delay > 0);
                finished = done();
            } finally {
                store.lock().unlock();
            }
            for (AofSnapshot.Item item : items) {
                sink.accept(item);
            }
            if (!finished) {
                pause(store.keySaveDelayMicros(), stopping);
            }
        }
    }

    /** Waits rdb-key-save-delay, re-read every 10 ms (a test holds a walk in the middle, then lets it go). */
    private static void pause(LongSupplier delayMicros, BooleanSupplier stopping) {
        long started = System.nanoTime();
        long left;
        while (!stopping.getAsBoolean()
                && (left = delayMicros.getAsLong() * 1_000 - (System.nanoTime() - started)) > 0) {
            LockSupport.parkNanos(Math.min(left, 10_000_000L));
        }
    }

    /** Whether every key has been handed out. */
    boolean done() {
        return db == end.length && saved.isEmpty() && partial == null;
    }

    /**
     * From the walk's own thread when it ends, finished or not: detaches it and runs {@code then} under the
     * store lock, unless {@code abandoned} turns true first (the server is stopping, and its closing thread,
     * holding the lock while it waits for the walk's thread, detaches it itself).
     */
    void detach(Store store, BooleanSupplier abandoned, Runnable then) {
        Lock lock = store.lock();
        while (!abandoned.getAsBoolean()) {
            try {
                if (lock.tryLock(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    try {
                        detach();
                        then.run();
                    } finally {
                        lock.unlock();
                    }
                    return;
                }
            } catch (InterruptedException e) {
                return; // only an abandon interrupts, after detaching the walk itself
            }
        }
    }

    /** Stops telling this walk of changes (the rewrite ended, or was given up). Under the store lock. */
    void detach() {
        if (keyspace.walk == this) {
            keyspace.walk = null;
        }
    }

    /** Keys handed to the rewrite so far (INFO's current_save_keys_processed). */
    long processed() {
        return processed;
    }

    /** Keys there were at the start (INFO's current_save_keys_total). */
    long total() {
        return total;
    }

    /** Estimated bytes of the copies made before changes (INFO's current_cow_size). */
    long preservedBytes() {
        return preservedBytes;
    }

    private static AofSnapshot.Item copy(Database database, Database.Entry e) {
        return new AofSnapshot.Item(database.index, e.key.bytes, e.value, e.expireAt); // freezes an aggregate
    }
}
