package io.ipc4j.kv;

/**
 * A value made of elements (list, hash, set, sorted set). It keeps an estimate of its heap cost up to date as
 * it changes and adds every change to the keyspace that holds it, so that maxmemory and MEMORY USAGE see it
 * without recounting. Not thread-safe: used under the server's store lock.
 */
abstract sealed class Aggregate permits ListValue, HashValue, SetValue, SortedSetValue {
    /** Heap bytes of a byte[] of {@code length}: a 16-byte header, rounded up to 8. */
    static long heap(int length) {
        return (16L + length + 7) & ~7L;
    }

    /** Heap bytes of a {@link Key} over {@code length} bytes: the Key object and its array. */
    static long keyHeap(int length) {
        return 24 + heap(length);
    }

    private long bytes;
    private Database owner;
    private Key key;
    /** Counts changes, so that a snapshot's copy in steps can tell one that missed it ({@link FrozenAggregate}). */
    private int version;

    /** Adds {@code delta} to this value's estimate and to its keyspace's, and records the change. */
    final void grow(long delta) {
        bytes += delta;
        if (owner != null) {
            owner.keyspace().usedMemory += delta;
            owner.keyspace().touch(owner, key);
        }
    }

    /**
     * Called by every method that changes this value in place, before it changes anything (or before it calls
     * another such method, as ListValue's insert and keep do): a BGREWRITEAOF in progress that has not copied
     * the key yet copies it first (see {@link SnapshotWalk}).
     */
    final void changing() {
        if (owner != null) {
            owner.changing(key);
        }
        version++; // after the walk's copy, which the change may have had to finish first
    }

    /**
     * Records a change that may leave the estimate where it was (a packed list's element changing in room its
     * node already had): the keyspace counts it, so the write log logs the command, and WATCH and blocked
     * clients see the key touched. {@link #grow} records one too.
     */
    final void changed() {
        grow(0);
    }

    /** Changes so far (wrapping): a copy made in steps checks that it did not change between them. */
    final int version() {
        return version;
    }

    final long bytes() {
        return bytes;
    }

    /** The database and key now holding this value (null when it is stored nowhere). */
    final void owner(Database database, Key at) {
        owner = database;
        key = at;
    }

    abstract int size();

    final boolean isEmpty() {
        return size() == 0;
    }

    /** TYPE's answer. */
    abstract String type();

    /** OBJECT ENCODING's answer, as Redis 7.0 would choose for this content. */
    abstract String encoding();

    /** A deep copy (COPY; the elements themselves are immutable and shared). */
    abstract Aggregate copy();
}
