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
    /** Every change to any key (Redis's dirty counter): the write log logs a command that changed it. */
    long changes;
    /**
     * Clients watching keys or blocked on them. While there are any, each change also records its key in
     * {@link #touched} for the server to act on after the command.
     */
    int listeners;
    final java.util.List<DbKey> touched = new java.util.ArrayList<>();
    /** Keys evicted for maxmemory and not yet written to the append-only log as deletions. */
    final java.util.List<DbKey> evicted = new java.util.ArrayList<>();

    /** The running BGREWRITEAOF's walk over the data, or null: told before every change (see {@link SnapshotWalk}). */
    SnapshotWalk walk;

    /** A key in a numbered database. */
    record DbKey(int db, Key key) {
    }

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

    /** Records a change to {@code key}. */
    void touch(Database db, Key key) {
        changes++;
        if (listeners > 0) {
            touched.add(new DbKey(db.index, key));
        }
    }

    long keys() {
        long n = 0;
        for (Database db : databases) {
            n += db.size();
        }
        return n;
    }
}
