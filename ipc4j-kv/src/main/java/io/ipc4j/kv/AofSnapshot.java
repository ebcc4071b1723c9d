package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The commands BGREWRITEAOF writes for the keys a {@link SnapshotWalk} copied: each key's in batches of at most
 * 64 elements, as Redis's rewrite does.
 */
final class AofSnapshot {
    private static final int BATCH = 64;
    private static final byte[] SELECT = ascii("SELECT");

    /**
     * One key: its database, name, copied value (a string by reference: strings are never changed in place;
     * an aggregate copied) and absolute expiry (0: none).
     */
    record Item(int db, byte[] key, Object value, long expireAt) {
        /** The commands that rebuild this key. */
        List<byte[][]> commands() {
            List<byte[][]> out = new ArrayList<>();
            switch (value) {
                case byte[] s -> out.add(new byte[][] {ascii("SET"), key, s});
                case ListValue l -> {
                    List<byte[]> elements = new ArrayList<>();
                    for (int i = 0; i < l.size(); i++) {
                        elements.add(l.get(i));
                    }
                    batches(out, "RPUSH", elements);
                }
                case HashValue h -> {
                    List<byte[]> pairs = new ArrayList<>();
                    for (Map.Entry<Key, byte[]> e : h.entries()) {
                        pairs.add(e.getKey().bytes);
                        pairs.add(e.getValue());
                    }
                    batches(out, "HSET", pairs);
                }
                case SetValue s -> {
                    List<byte[]> members = new ArrayList<>();
                    s.members().forEach(k -> members.add(k.bytes));
                    batches(out, "SADD", members);
                }
                case SortedSetValue z -> {
                    List<byte[]> pairs = new ArrayList<>();
                    for (SortedSetValue.Node n : z.ordered()) {
                        pairs.add(ascii(exactScore(n.score())));
                        pairs.add(n.member().bytes);
                    }
                    batches(out, "ZADD", pairs);
                }
                default -> throw new IllegalStateException("a value of unknown type: " + value.getClass());
            }
            if (expireAt != 0) {
                out.add(new byte[][] {ascii("PEXPIREAT"), key, ascii(Long.toString(expireAt))});
            }
            return out;
        }

        private void batches(List<byte[][]> out, String command, List<byte[]> elements) {
            int step = command.equals("RPUSH") || command.equals("SADD") ? BATCH : BATCH * 2;
            for (int from = 0; from < elements.size(); from += step) {
                List<byte[]> part = elements.subList(from, Math.min(elements.size(), from + step));
                byte[][] args = new byte[part.size() + 2][];
                args[0] = ascii(command);
                args[1] = key;
                for (int i = 0; i < part.size(); i++) {
                    args[i + 2] = part.get(i);
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
