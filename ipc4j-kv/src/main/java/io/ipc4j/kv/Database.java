package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One numbered database: keys to values (strings, lists, hashes, sets, sorted sets) with optional expiry times (Unix milliseconds).
 *
 * <p>Besides the hash map it keeps each key's insertion sequence number in order (SCAN resumes after the last
 * number it returned, so a key present for a whole scan is returned exactly once, whatever changes meanwhile)
 * and the keys with a time to live ordered by expiry (active expiry removes the due ones without sampling).
 * Not thread-safe: the server calls it under its store lock.
 */
final class Database {
    /**
     * Heap bytes of bookkeeping per key beyond its key and value: the Entry (48), the HashMap node and slot
     * (40), the scan-order TreeMap node with its boxed Long (56).
     */
    static final int OVERHEAD = 144;

    /** A key's value (a byte[] string or an {@link Aggregate}), expiry and last access. */
    static final class Entry {
        final Key key;
        final long seq;
        Object value;
        long expireAt; // 0: never
        /** When a command last read or wrote it (OBJECT IDLETIME, LRU eviction), Unix milliseconds. */
        long touched;
        /**
         * How Redis would have encoded this string, where its content does not tell: {@link #BY_CONTENT},
         * {@link #RAW} (grown in place by APPEND or SETRANGE), or {@link #NOT_INT} (INCRBYFLOAT's result, made
         * as text). RENAME and COPY keep it, as they keep Redis's object.
         */
        byte form;

        Entry(Key key, long seq, Object value) {
            this.key = key;
            this.seq = seq;
            this.value = value;
        }

        /** The value as a string, or null if it is another type. */
        byte[] string() {
            return value instanceof byte[] b ? b : null;
        }
    }

    /** String forms: see {@link Entry#form}. */
    static final byte BY_CONTENT = 0;
    static final byte RAW = 1;
    static final byte NOT_INT = 2;

    /** Estimated bytes of a value: a string's length, or an aggregate's running estimate. */
    static long memory(Object value) {
        return value instanceof byte[] b ? Aggregate.heap(b.length) : ((Aggregate) value).bytes();
    }

    /** Estimated heap bytes of a key and its value (MEMORY USAGE). */
    static long usage(Entry e) {
        return OVERHEAD + Aggregate.keyHeap(e.key.bytes.length) + memory(e.value);
    }

    private static final Comparator<Entry> BY_EXPIRY =
            Comparator.<Entry>comparingLong(e -> e.expireAt).thenComparingLong(e -> e.seq);

    final int index;
    private final Keyspace keyspace;
    private final HashMap<Key, Entry> map = new HashMap<>();
    private final TreeMap<Long, Entry> bySeq = new TreeMap<>();
    private final TreeSet<Entry> byExpiry = new TreeSet<>(BY_EXPIRY);
    private long nextSeq = 1;

    Database(int index, Keyspace keyspace) {
        this.index = index;
        this.keyspace = keyspace;
    }

    /** The live entry for {@code key}, removing it first if it has expired; marks it used now. */
    Entry lookup(Key key, long now) {
        Entry e = live(key, now);
        if (e != null) {
            e.touched = now;
        }
        return e;
    }

    /** As {@link #lookup}, without marking it used (OBJECT, MEMORY USAGE, sampling). */
    Entry lookupQuietly(Key key, long now) {
        return live(key, now);
    }

    private Entry live(Key key, long now) {
        Entry e = map.get(key);
        if (e == null) {
            return null;
        }
        if (e.expireAt != 0 && e.expireAt <= now) {
            unlink(e);
            keyspace.expiredKeys++;
            return null;
        }
        return e;
    }

    /** Sets {@code key} to {@code value}; the expiry is cleared unless {@code keepTtl}. Returns the entry. */
    Entry put(Key key, Object value, boolean keepTtl, long now) {
        Entry e = lookup(key, now);
        if (e == null) {
            e = new Entry(key, nextSeq++, value);
            e.touched = now;
            map.put(key, e);
            bySeq.put(e.seq, e);
            keyspace.usedMemory += Aggregate.keyHeap(key.bytes.length) + OVERHEAD;
            adopt(key, value);
            keyspace.touch(this, key);
            return e;
        }
        changing(e);
        release(e.value);
        e.value = value;
        e.form = BY_CONTENT;
        adopt(key, value);
        keyspace.touch(this, key);
        if (!keepTtl) {
            setExpiry(e, 0);
        }
        return e;
    }

    void setExpiry(Entry e, long expireAt) {
        changing(e);
        keyspace.touch(this, e.key);
        if (e.expireAt != 0) {
            byExpiry.remove(e);
        }
        e.expireAt = expireAt;
        if (expireAt != 0) {
            byExpiry.add(e);
        }
    }

    boolean delete(Key key, long now) {
        Entry e = lookup(key, now);
        if (e == null) {
            return false;
        }
        remove(e);
        return true;
    }

    /** Removes a live entry: a change, seen by WATCH and the write log. */
    void remove(Entry e) {
        changing(e);
        keyspace.touch(this, e.key);
        unlink(e);
    }

    /** Removes an entry without recording a change (expiry: every replica of the data expires it alike). */
    private void unlink(Entry e) {
        map.remove(e.key);
        bySeq.remove(e.seq);
        if (e.expireAt != 0) {
            byExpiry.remove(e);
        }
        keyspace.usedMemory -= Aggregate.keyHeap(e.key.bytes.length) + OVERHEAD;
        release(e.value);
    }

    /**
     * The aggregate at {@code key} is about to change in place (see {@link Aggregate#changing}): a rewrite in
     * progress that has not copied it yet copies it now.
     */
    void changing(Key key) {
        if (keyspace.walk != null) {
            Entry e = map.get(key);
            if (e != null) {
                changing(e);
            }
        }
    }

    /** {@code e} is about to change or go: a rewrite in progress that has not copied it yet copies it now. */
    private void changing(Entry e) {
        SnapshotWalk walk = keyspace.walk;
        if (walk != null) {
            walk.preserve(this, e);
        }
    }

    private void adopt(Key key, Object value) {
        keyspace.usedMemory += memory(value);
        if (value instanceof Aggregate a) {
            a.owner(this, key);
        }
    }

    private void release(Object value) {
        keyspace.usedMemory -= memory(value);
        if (value instanceof Aggregate a) {
            a.owner(null, null);
        }
    }

    Keyspace keyspace() {
        return keyspace;
    }

    /** Whether {@code e} is this database's entry for its key. */
    boolean holds(Entry e) {
        return map.get(e.key) == e;
    }

    int size() {
        return map.size();
    }

    int expiring() {
        return byExpiry.size();
    }

    /**
     * Removes every key. A rewrite in progress keeps no copies (FLUSHDB and FLUSHALL are logged, and the log
     * replays them after whatever the rewrite wrote).
     */
    void clear() {
        for (Entry e : map.values()) {
            keyspace.usedMemory -= Aggregate.keyHeap(e.key.bytes.length) + OVERHEAD;
            release(e.value);
            keyspace.touch(this, e.key);
        }
        map.clear();
        bySeq.clear();
        byExpiry.clear();
    }

    /** Removes up to {@code budget} keys whose time has come; returns how many. */
    int expireDue(long now, int budget) {
        int removed = 0;
        while (removed < budget && !byExpiry.isEmpty() && byExpiry.first().expireAt <= now) {
            unlink(byExpiry.first());
            removed++;
        }
        keyspace.expiredKeys += removed;
        return removed;
    }

    /** Live entries with sequence numbers after {@code cursor}, at most {@code count}, in order. */
    List<Entry> scan(long cursor, int count, long now) {
        List<Entry> out = new ArrayList<>(Math.min(count, 1024));
        NavigableMap<Long, Entry> tail = bySeq.tailMap(cursor, false);
        for (Map.Entry<Long, Entry> m : tail.entrySet()) {
            if (out.size() >= count) {
                break;
            }
            Entry e = m.getValue();
            if (e.expireAt == 0 || e.expireAt > now) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every entry after sequence number {@code seq}, live or not, in order; a view, not to be kept. */
    Iterable<Entry> after(long seq) {
        return bySeq.tailMap(seq, false).values();
    }

    /** The sequence number the next new key gets: every key now in the database has a smaller one. */
    long nextSeq() {
        return nextSeq;
    }

    /** Whether any entry follows {@code seq} in scan order. */
    boolean hasAfter(long seq) {
        return bySeq.higherKey(seq) != null;
    }

    /** Every live entry (KEYS, FLUSH accounting). */
    List<Entry> all(long now) {
        return scan(0, Integer.MAX_VALUE, now);
    }

    /** A random live key, or null if there is none. */
    Entry random(long now) {
        for (int attempt = 0; attempt < 100 && !bySeq.isEmpty(); attempt++) {
            long first = bySeq.firstKey();
            long last = bySeq.lastKey();
            long pick = first + ThreadLocalRandom.current().nextLong(last - first + 1);
            Entry e = bySeq.ceilingEntry(pick).getValue();
            if (live(e.key, now) != null) {
                return e;
            }
        }
        return null;
    }

    /** The key whose expiry comes first, or null (volatile-ttl eviction). */
    Entry soonestExpiring() {
        return byExpiry.isEmpty() ? null : byExpiry.first();
    }

    /** A random live key with a time to live, or null if none was found in 100 tries. */
    Entry randomExpiring(long now) {
        if (byExpiry.isEmpty()) {
            return null;
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            Entry e = random(now);
            if (e != null && e.expireAt != 0) {
                return e;
            }
        }
        return byExpiry.first();
    }
}
