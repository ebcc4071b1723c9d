package io.ipc4j.kv;

import java.util.concurrent.ThreadLocalRandom;

/**
 * maxmemory: before a command that may grow the data runs, keys are evicted by the configured policy until
 * the estimate is under the limit; with noeviction (or nothing left to evict) the command gets the OOM
 * error. LRU is approximated as Redis does, by sampling (maxmemory-samples keys, the least recently used
 * goes). Under the store lock.
 */
final class Memory {
    private final Keyspace keyspace;
    private final Settings settings;
    long evictedKeys;

    Memory(Keyspace keyspace, Settings settings) {
        this.keyspace = keyspace;
        this.settings = settings;
    }

    /** Whether the data is within maxmemory, after evicting what the policy allows. */
    boolean fits() {
        long max = settings.maxMemory;
        if (max == 0 || keyspace.usedMemory <= max) {
            return true;
        }
        if (settings.policy.equals("noeviction")) {
            return false;
        }
        long now = System.currentTimeMillis();
        while (keyspace.usedMemory > max) {
            Database.Entry victim = choose(now);
            if (victim == null) {
                return false;
            }
            Database db = owner(victim);
            db.remove(victim);
            keyspace.evicted.add(new Keyspace.DbKey(db.index, victim.key));
            evictedKeys++;
        }
        return true;
    }

    private Database owner(Database.Entry e) {
        for (Database db : keyspace.databases) {
            if (db.holds(e)) {
                return db;
            }
        }
        throw new IllegalStateException("an evicted key belongs to no database");
    }

    private Database.Entry choose(long now) {
        boolean volatileOnly = settings.policy.startsWith("volatile-");
        boolean lru = settings.policy.endsWith("-lru");
        boolean ttl = settings.policy.equals("volatile-ttl");
        int samples = Math.max(1, Integer.parseInt(settings.get("maxmemory-samples")));
        Database.Entry best = null;
        for (Database db : keyspace.databases) {
            if (db.size() == 0) {
                continue;
            }
            if (ttl) {
                Database.Entry e = db.soonestExpiring();
                if (e != null && (best == null || e.expireAt < best.expireAt)) {
                    best = e;
                }
                continue;
            }
            for (int i = 0; i < (lru ? samples : 1); i++) {
                Database.Entry e = volatileOnly ? db.randomExpiring(now) : db.random(now);
                if (e != null && (best == null || (lru ? e.touched < best.touched
                        : ThreadLocalRandom.current().nextBoolean()))) {
                    best = e;
                }
            }
        }
        return best;
    }
}
