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
 * One numbered database: keys to string values with optional expiry times (Unix milliseconds).
 *
 * <p>Besides the hash map it keeps each key's insertion sequence number in order (SCAN resumes after the last
 * number it returned, so a key present for a whole scan is returned exactly once, whatever changes meanwhile)
 * and the keys with a time to live ordered by expiry (active expiry removes the due ones without sampling).
 * Not thread-safe: the server calls it under its store lock.
 */
final class Database {
    /** Estimated bytes of bookkeeping per key beyond its key and value bytes. */
    static final int OVERHEAD = 96;

    /** A key's value and expiry. */
    static final class Entry {
        final Key key;
        final long seq;
        byte[] value;
        long expireAt; // 0: never

        Entry(Key key, long seq, byte[] value) {
            this.key = key;
            this.seq = seq;
            this.value = value;
        }
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

    /** The live entry for {@code key}, removing it first if it has expired. */
    Entry lookup(Key key, long now) {
        Entry e = map.get(key);
        if (e != null && e.expireAt != 0 && e.expireAt <= now) {
            remove(e);
            keyspace.expiredKeys++;
            return null;
        }
        return e;
    }

    /** Sets {@code key} to {@code value}; the expiry is cleared unless {@code keepTtl}. Returns the entry. */
    Entry put(Key key, byte[] value, boolean keepTtl, long now) {
        Entry e = lookup(key, now);
        if (e == null) {
            e = new Entry(key, nextSeq++, value);
            map.put(key, e);
            bySeq.put(e.seq, e);
            keyspace.usedMemory += key.bytes.length + value.length + OVERHEAD;
            return e;
        }
        keyspace.usedMemory += value.length - e.value.length;
        e.value = value;
        if (!keepTtl) {
            setExpiry(e, 0);
        }
        return e;
    }

    void setExpiry(Entry e, long expireAt) {
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

    void remove(Entry e) {
        map.remove(e.key);
        bySeq.remove(e.seq);
        if (e.expireAt != 0) {
            byExpiry.remove(e);
        }
        keyspace.usedMemory -= e.key.bytes.length + e.value.length + OVERHEAD;
    }

    int size() {
        return map.size();
    }

    int expiring() {
        return byExpiry.size();
    }

    /** Removes every key. */
    void clear() {
        for (Entry e : map.values()) {
            keyspace.usedMemory -= e.key.bytes.length + e.value.length + OVERHEAD;
        }
        map.clear();
        bySeq.clear();
        byExpiry.clear();
    }

    /** Removes up to {@code budget} keys whose time has come; returns how many. */
    int expireDue(long now, int budget) {
        int removed = 0;
        while (removed < budget && !byExpiry.isEmpty() && byExpiry.first().expireAt <= now) {
            remove(byExpiry.first());
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
            if (lookup(e.key, now) != null) {
                return e;
            }
        }
        return null;
    }
}
