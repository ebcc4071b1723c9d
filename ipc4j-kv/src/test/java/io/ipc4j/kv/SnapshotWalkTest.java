package io.ipc4j.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BGREWRITEAOF's walk hands out the data exactly as it was when the walk began, whatever changes meanwhile, and
 * in bounded chunks. (The rewrite across a restart, with a real server in another process, is in
 * PersistenceTest; a replayed log cannot tell every missing copy apart, since most commands are idempotent.)
 */
class SnapshotWalkTest {
    private final Keyspace keyspace = new Keyspace(2);
    private final Database db = keyspace.databases[0];
    private final long now = System.currentTimeMillis();

    /** Every way a key can change, each the first change to its own key, made after the walk took one key. */
    @Test
    void theWalkSeesEveryKeyAsItWasAtTheStart() {
        db.put(key("first"), bytes("walked before the changes"), false, now);
        db.put(key("string"), bytes("old"), false, now);
        db.put(key("expiring"), bytes("x"), false, now);
        db.setExpiry(db.lookup(key("expiring"), now), now + 100_000);
        db.put(key("deleted"), bytes("gone"), false, now);
        Map<String, Consumer<ListValue>> lists = Map.of(
                "set", l -> l.set(1, bytes("new")),
                "addFirst", l -> l.addFirst(bytes("new")),
                "addLast", l -> l.addLast(bytes("new")),
                "removeFirst", ListValue::removeFirst,
                "removeLast", ListValue::removeLast,
                "insert", l -> l.insert(2, bytes("new")),
                "removeAt", l -> l.removeAt(1),
                "keep", l -> l.keep(1, 2));
        lists.keySet().stream().sorted().forEach(name -> db.put(key("list:" + name), list("a", "b", "c", "d"), false, now));
        Map<String, Consumer<HashValue>> hashes = Map.of(
                "putNew", h -> h.put(key("new"), bytes("1")),
                "putOver", h -> h.put(key("f"), bytes("new")),
                "remove", h -> h.remove(key("f")));
        hashes.keySet().stream().sorted().forEach(name -> db.put(key("hash:" + name), hash(), false, now));
        Map<String, Consumer<SetValue>> sets = Map.of(
                "add", s -> s.add(key("new")),
                "remove", s -> s.remove(key("x")));
        sets.keySet().stream().sorted().forEach(name -> db.put(key("set:" + name), set(), false, now));
        Map<String, Consumer<SortedSetValue>> zsets = Map.of(
                "putNew", z -> z.put(key("new"), 3),
                "putScore", z -> z.put(key("m"), 5),
                "remove", z -> z.remove(key("m")));
        zsets.keySet().stream().sorted().forEach(name -> db.put(key("zset:" + name), zset(), false, now));
        keyspace.databases[1].put(key("other"), list("1"), false, now);
        Map<String, String> atStart = KeyspaceText.of(keyspace, now);

        SnapshotWalk walk = SnapshotWalk.start(keyspace);
        List<AofSnapshot.Item> handedOut = new ArrayList<>(walk.next(now, true));
        assertEquals(List.of("first"), names(handedOut));

        db.put(key("first"), bytes("changed after it was walked"), false, now);
        db.put(key("string"), bytes("new"), false, now);
        db.setExpiry(db.lookup(key("expiring"), now), 0);
        db.delete(key("deleted"), now);
        db.put(key("made"), bytes("after the start"), false, now);
        lists.forEach((name, change) -> change.accept(value("list:" + name, ListValue.class)));
        hashes.forEach((name, change) -> change.accept(value("hash:" + name, HashValue.class)));
        sets.forEach((name, change) -> change.accept(value("set:" + name, SetValue.class)));
        zsets.forEach((name, change) -> change.accept(value("zset:" + name, SortedSetValue.class)));
        ((ListValue) keyspace.databases[1].lookup(key("other"), now).value).addLast(bytes("2"));
        assertTrue(walk.preservedBytes() > 0);

        while (!walk.done()) {
            handedOut.addAll(walk.next(now, false));
        }
        assertEquals(atStart, KeyspaceText.of(handedOut));
        assertEquals(atStart.size(), walk.processed());
        assertNull(keyspace.walk, "a finished walk is told of no more changes");
    }

    /** A chunk copies at most CHUNK keys; every key is handed out once; keys made meanwhile are not walked. */
    @Test
    void theWalkGoesAChunkAtATime() {
        int keys = 2 * SnapshotWalk.CHUNK + 100;
        for (int i = 0; i < keys; i++) {
            db.put(key("k" + i), bytes("v" + i), false, now);
        }
        SnapshotWalk walk = SnapshotWalk.start(keyspace);
        assertSame(walk, keyspace.walk);
        List<Integer> chunks = new ArrayList<>();
        List<AofSnapshot.Item> all = new ArrayList<>();
        while (!walk.done()) {
            List<AofSnapshot.Item> chunk = walk.next(now, false);
            chunks.add(chunk.size());
            all.addAll(chunk);
            db.put(key("new" + chunks.size()), bytes("made during the walk"), false, now);
        }
        assertEquals(List.of(SnapshotWalk.CHUNK, SnapshotWalk.CHUNK, 100), chunks);
        assertEquals(keys, KeyspaceText.of(all).size());
        assertEquals(keys, walk.total());
    }

    /**
     * Random changes of every kind (each mutator, replaced and deleted keys, new keys, expiry times) made between
     * random chunks, 200 seeds: the walk always hands out exactly the data as it was at the start.
     */
    @Test
    void randomChangesBetweenChunksNeverReachTheSnapshot() {
        randomChangesDuringWalks(SnapshotWalk.CHUNK);
    }

    /**
     * The same with chunks of one to four keys and elements, so that most aggregates are copied over several
     * chunks and many change, are replaced, deleted or given a new expiry while their copy is half made.
     */
    @Test
    void randomChangesWhileAggregatesAreCopiedInPartsNeverReachTheSnapshot() {
        for (int chunk = 1; chunk <= 4; chunk++) {
            randomChangesDuringWalks(chunk);
        }
    }

    /** A hash of 2,000 fields takes four chunks; a change after two gets the copy finished first, unchanged. */
    @Test
    void aLargeAggregateIsCopiedOverSeveralChunks() {
        HashValue big = new HashValue();
        for (int i = 0; i < 2_000; i++) {
            big.put(key("f" + i), bytes("v" + i));
        }
        db.put(key("big"), big, false, now);
        db.put(key("after"), bytes("x"), false, now);
        Map<String, String> atStart = KeyspaceText.of(keyspace, now);
        SnapshotWalk walk = SnapshotWalk.start(keyspace);
        assertEquals(List.of(), walk.next(now, false), "the first 511 fields");
        assertEquals(List.of(), walk.next(now, false), "512 more");
        big.put(key("f0"), bytes("changed"));
        big.put(key("new"), bytes("made"));
        List<AofSnapshot.Item> handedOut = new ArrayList<>(walk.next(now, false));
        assertEquals(List.of("big", "after"), names(handedOut), "finished before the change, handed out next");
        assertTrue(walk.done());
        assertEquals(atStart, KeyspaceText.of(handedOut));
    }

    /** A change that did not tell the walk (none does) fails the copy instead of mixing two states. */
    @Test
    void aCopyThatMissedAChangeSaysSo() {
        ListValue big = new ListValue();
        for (int i = 0; i < 20_000; i++) { // about 20 packed nodes: more than one chunk copies
            big.addLast(bytes("e" + i));
        }
        db.put(key("big"), big, false, now);
        SnapshotWalk walk = SnapshotWalk.start(keyspace);
        assertEquals(List.of(), walk.next(now, false));
        big.owner(null, null); // cut off from its database, so the walk is not told
        big.addFirst(bytes("unseen"));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> walk.next(now, false));
        assertEquals("a list changed while a snapshot copied it", e.getMessage());
    }

    private void randomChangesDuringWalks(int chunk) {
        for (long seed = 1; seed <= 200; seed++) {
            java.util.Random random = new java.util.Random(seed);
            Keyspace ks = new Keyspace(3);
            for (int i = 0; i < 150; i++) {
                Database d = ks.databases[random.nextInt(3)];
                d.put(key("k" + i), randomValue(random), false, now);
                if (random.nextInt(5) == 0) {
                    d.setExpiry(d.lookup(key("k" + i), now), now + 1_000_000 + random.nextInt(1000));
                }
            }
            Map<String, String> atStart = KeyspaceText.of(ks, now);
            SnapshotWalk walk = SnapshotWalk.start(ks, chunk);
            List<AofSnapshot.Item> handedOut = new ArrayList<>();
            int made = 0;
            while (!walk.done()) {
                if (random.nextInt(3) == 0) {
                    handedOut.addAll(walk.next(now, random.nextBoolean()));
                } else {
                    Database d = ks.databases[random.nextInt(3)];
                    String name = random.nextInt(10) == 0 ? "new" + made++ : "k" + random.nextInt(150);
                    change(random, d, key(name));
                }
            }
            assertEquals(atStart, KeyspaceText.of(handedOut), "chunk " + chunk + ", seed " + seed);
        }
    }

    private void change(java.util.Random random, Database d, Key key) {
        Database.Entry e = d.lookup(key, now);
        if (e == null || random.nextInt(8) == 0) {
            d.put(key, randomValue(random), false, now);
            return;
        }
        switch (random.nextInt(4)) {
            case 0 -> d.delete(key, now);
            case 1 -> d.setExpiry(e, random.nextBoolean() ? 0 : now + 2_000_000);
            default -> {
                switch (e.value) {
                    case byte[] ignored -> d.put(key, bytes("s" + random.nextInt(9)), true, now);
                    case ListValue l -> changeList(random, l);
                    case HashValue h -> {
                        if (!random.nextBoolean() || !h.remove(key("f" + random.nextInt(4)))) {
                            h.put(key("f" + random.nextInt(4)), bytes("v" + random.nextInt(9)));
                        }
                    }
                    case SetValue s -> {
                        if (!random.nextBoolean() || !s.remove(key("m" + random.nextInt(4)))) {
                            s.add(key("m" + random.nextInt(6)));
                        }
                    }
                    case SortedSetValue z -> {
                        if (!random.nextBoolean() || !z.remove(key("m" + random.nextInt(4)))) {
                            z.put(key("m" + random.nextInt(6)), random.nextInt(5));
                        }
                    }
                    default -> throw new AssertionError(e.value);
                }
                if (e.value instanceof Aggregate a && a.isEmpty()) {
                    d.delete(key, now);
                }
            }
        }
    }

    private static void changeList(java.util.Random random, ListValue l) {
        byte[] v = bytes("e" + random.nextInt(9));
        switch (random.nextInt(8)) {
            case 0 -> l.addFirst(v);
            case 1 -> l.addLast(v);
            case 2 -> l.removeFirst();
            case 3 -> l.removeLast();
            case 4 -> l.set(random.nextInt(l.size()), v);
            case 5 -> l.insert(random.nextInt(l.size() + 1), v);
            case 6 -> l.removeAt(random.nextInt(l.size()));
            default -> l.keep(random.nextInt(l.size()), l.size() - 1);
        }
    }

    private static Object randomValue(java.util.Random random) {
        int n = 1 + random.nextInt(8);
        return switch (random.nextInt(5)) {
            case 0 -> bytes("s" + random.nextInt(100));
            case 1 -> {
                ListValue l = new ListValue();
                for (int i = 0; i < n; i++) {
                    l.addLast(bytes("e" + random.nextInt(9)));
                }
                yield l;
            }
            case 2 -> {
                HashValue h = new HashValue();
                for (int i = 0; i < n; i++) {
                    h.put(key("f" + i), bytes("v" + random.nextInt(9)));
                }
                yield h;
            }
            case 3 -> {
                SetValue s = new SetValue();
                for (int i = 0; i < n; i++) {
                    s.add(key("m" + i));
                }
                yield s;
            }
            default -> {
                SortedSetValue z = new SortedSetValue();
                for (int i = 0; i < n; i++) {
                    z.put(key("m" + i), random.nextInt(5));
                }
                yield z;
            }
        };
    }

    private <T> T value(String name, Class<T> type) {
        return type.cast(db.lookup(key(name), now).value);
    }

    private static List<String> names(List<AofSnapshot.Item> items) {
        return items.stream().map(i -> new String(i.key(), StandardCharsets.UTF_8)).toList();
    }

    private static ListValue list(String... elements) {
        ListValue l = new ListValue();
        for (String e : elements) {
            l.addLast(bytes(e));
        }
        return l;
    }

    private static HashValue hash() {
        HashValue h = new HashValue();
        h.put(key("f"), bytes("v"));
        h.put(key("g"), bytes("w"));
        return h;
    }

    private static SetValue set() {
        SetValue s = new SetValue();
        for (String m : List.of("x", "y", "z")) {
            s.add(key(m));
        }
        return s;
    }

    private static SortedSetValue zset() {
        SortedSetValue z = new SortedSetValue();
        z.put(key("m"), 1);
        z.put(key("n"), 2);
        return z;
    }

    private static Key key(String s) {
        return new Key(bytes(s));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
