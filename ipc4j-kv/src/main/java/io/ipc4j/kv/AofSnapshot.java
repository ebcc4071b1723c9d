package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The commands BGREWRITEAOF writes for the keys a {@link SnapshotWalk} copied: each key's in batches of at most
 * 64 elements, as Redis's rewrite does.
 */
final class AofSnapshot {
    private static final int BATCH = 64;
    private static final byte[] SELECT = ascii("SELECT");

    /**
     * One key: its database, name, value as it was (a string by reference: strings are never changed in place;
     * an aggregate's elements copied, {@link FrozenAggregate}) and absolute expiry (0: none).
     */
    record Item(int db, byte[] key, Object value, long expireAt) {
        /** A live aggregate given as the value is copied now (SAVE, which holds the store lock throughout). */
        Item {
            if (value instanceof Aggregate a) {
                value = FrozenAggregate.of(a);
            }
        }

        /**
         * The commands that rebuild this key, made one at a time as they are iterated: a value of millions of
         * elements is never all arguments at once (a batch's are garbage once it is encoded).
         */
        Iterable<byte[][]> commands() {
            return () -> new Iterator<>() {
                private final Iterator<byte[]> list = value instanceof FrozenAggregate a
                        && a.kind == FrozenAggregate.Kind.LIST ? a.listElements() : null;
                /** Elements of an aggregate, or the one SET of a string. */
                private final int total = switch (value) {
                    case byte[] ignored -> 1;
                    case FrozenAggregate a -> a.size();
                    default -> throw new IllegalStateException("a value of unknown type: " + value.getClass());
                };
                private int next; // the next element of an aggregate, or 0 and then 1 for a string's SET
                private boolean expiryDone = expireAt == 0;

                @Override
                public boolean hasNext() {
                    return next < total || !expiryDone;
                }

                @Override
                public byte[][] next() {
                    if (next < total) {
                        if (value instanceof FrozenAggregate a) {
                            int n = Math.min(BATCH, a.size() - next);
                            byte[][] batch = batch(a, next, n, list);
                            next += n;
                            return batch;
                        }
                        next = 1;
                        return new byte[][] {ascii("SET"), key, (byte[]) value};
                    }
                    if (expiryDone) {
                        throw new NoSuchElementException();
                    }
                    expiryDone = true;
                    return new byte[][] {ascii("PEXPIREAT"), key, ascii(Long.toString(expireAt))};
                }
            };
        }

        /** An RPUSH, SADD, HSET or ZADD of elements {@code from..from+n-1} ({@code list}: the list's, in turn). */
        private byte[][] batch(FrozenAggregate a, int from, int n, Iterator<byte[]> list) {
            byte[] command = ascii(switch (a.kind) {
                case LIST -> "RPUSH";
                case SET -> "SADD";
                case HASH -> "HSET";
                case SORTED_SET -> "ZADD";
            });
            int perElement = a.kind == FrozenAggregate.Kind.LIST || a.kind == FrozenAggregate.Kind.SET ? 1 : 2;
            byte[][] args = new byte[2 + n * perElement][];
            args[0] = command;
            args[1] = key;
            for (int i = 0; i < n; i++) {
                int element = from + i;
                switch (a.kind) {
                    case LIST -> args[2 + i] = list.next();
                    case SET -> args[2 + i] = a.strings[element];
                    case HASH -> {
                        args[2 + 2 * i] = a.strings[2 * element];
                        args[3 + 2 * i] = a.strings[2 * element + 1];
                    }
                    case SORTED_SET -> {
                        args[2 + 2 * i] = ascii(exactScore(a.scores[element]));
                        args[3 + 2 * i] = a.strings[element];
                    }
                }
            }
            return args;
        }
    }

    private AofSnapshot() {
    }

    /** SELECT for database {@code db}. */
    static byte[][] select(int db) {
        return new byte[][] {SELECT, ascii(Integer.toString(db))};
    }

    /** A score that reads back as the same double: Java's shortest round-trip form, or inf/-inf. */
    static String exactScore(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        return Double.toString(d);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
