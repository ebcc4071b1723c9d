package io.ipc4j.kv;

/**
 * Every database, and the memory estimate and counters the server reports. Accessed under the server's
 * store lock only.
 */
final class Keyspace {
    final Database[] databases;
    long usedMemory;
    long expiredKeys;
    long keyspaceHits;
    long keyspaceMisses;

    Keyspace(int count) {
        databases = new Database[count];
        for (int i = 0; i < count; i++) {
            databases[i] = new Database(i, this);
        }
    }

    /** Active expiry: removes due keys from every database, at most {@code budget} in all. */
    int expireDue(long now, int budget) {
        int removed = 0;
        for (Database db : databases) {
            removed += db.expireDue(now, budget - removed);
        }
        return removed;
    }

    long keys() {
        long n = 0;
        for (Database db : databases) {
            n += db.size();
        }
        return n;
    }
}
