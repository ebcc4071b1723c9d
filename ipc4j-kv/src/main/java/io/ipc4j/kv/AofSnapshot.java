package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

        /** The commands that rebuild this key. */
        List<byte[][]> commands() {
            List<byte[][]> out = new ArrayList<>();
            switch (value) {
                case byte[] s -> out.add(new byte[][] {ascii("SET"), key, s});
                case FrozenAggregate a -> batches(out, a);
                default -> throw new IllegalStateException("a value of unknown type: " + value.getClass());
            }
            if (expireAt != 0) {
                out.add(new byte[][] {ascii("PEXPIREAT"), key, ascii(Long.toString(expireAt))});
            }
            return out;
        }

        /** RPUSH, SADD, HSET or ZADD commands of at most {@link #BATCH} elements each. */
        private void batches(List<byte[][]> out, FrozenAggregate a) {
            byte[] command = ascii(switch (a.kind) {
                case LIST -> "RPUSH";
                case SET -> "SADD";
                case HASH -> "HSET";
                case SORTED_SET -> "ZADD";
            });
            int perElement = a.kind == FrozenAggregate.Kind.LIST || a.kind == FrozenAggregate.Kind.SET ? 1 : 2;
            for (int from = 0; from < a.size(); from += BATCH) {
                int n = Math.min(BATCH, a.size() - from);
                byte[][] args = new byte[2 + n * perElement][];
                args[0] = command;
                args[1] = key;
                for (int i = 0; i < n; i++) {
                    int element = from + i;
                    switch (a.kind) {
                        case LIST, SET -> args[2 + i] = a.strings[element];
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
                out.add(args);
            }
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
