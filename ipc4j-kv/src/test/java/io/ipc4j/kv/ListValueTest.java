package io.ipc4j.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packed list against a plain list of arrays doing the same random operations: elements of every length
 * class (empty, one length byte, 255 and more, longer than a node), lists long enough to span many nodes, and
 * every change at both ends and in the middle. After each step the sizes agree; every few steps every element is
 * compared, read forwards, backwards, at random and through a snapshot's copy and a copy.
 */
class ListValueTest {
    private SplittableRandom random;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void behavesAsAPlainListUnderRandomChanges(long seed) {
        random = new SplittableRandom(seed);
        ListValue packed = new ListValue();
        List<byte[]> model = new ArrayList<>();
        for (int step = 0; step < 30_000; step++) {
            String op = change(packed, model);
            assertEquals(model.size(), packed.size(), op + " at step " + step);
            if (step % 500 == 0) {
                compare(model, packed, "after " + op + " at step " + step);
                compareRanges(model, packed, "after " + op + " at step " + step);
            }
        }
        compare(model, packed, "at the end");
        compareRanges(model, packed, "at the end");
    }

    @Test
    void aLongListIsFewNodesAndItsEstimateFollowsItsNodes() {
        ListValue l = new ListValue();
        long empty = l.bytes();
        for (int i = 0; i < 100_000; i++) {
            l.addLast(("element:" + i).getBytes(StandardCharsets.US_ASCII));
        }
        long full = l.bytes();
        // 100,000 entries of 11-15 bytes: about 1.5 MB packed, where an array each (and its slot) took 3.6 MB
        assertTrue(full - empty > 1_400_000 && full - empty < 1_800_000, "estimate " + (full - empty));
        for (int i = 0; i < 100_000; i++) {
            l.removeFirst();
        }
        assertTrue(l.bytes() - empty < 2_000, "an emptied list keeps only its ring of node references: "
                + (l.bytes() - empty));
    }

    @Test
    void removeAllRemovesTheFirstOrTheLastMatchesInOnePass() {
        ListValue l = new ListValue();
        List<byte[]> model = new ArrayList<>();
        byte[] x = {'x'};
        for (int i = 0; i < 40_000; i++) { // runs of 5,000 matches and 5,000 others: whole nodes of either
            byte[] v = i / 5_000 % 2 == 0 ? x : ("e" + i).getBytes(StandardCharsets.US_ASCII);
            l.addLast(v);
            model.add(v);
        }
        long[][] removals = {{7_000, 1}, {6_000, 0}, {5, 1}, {10, 0}, {Long.MAX_VALUE, 0}, {Long.MAX_VALUE, 1}};
        for (long[] r : removals) {
            boolean fromTail = r[1] == 1;
            long expected = removeMatches(model, x, r[0], fromTail);
            assertEquals(expected, l.removeAll(x, r[0], fromTail),
                    "limit " + r[0] + (fromTail ? " from the tail" : ""));
            compare(model, l, "after removing " + expected);
        }
        assertEquals(20_000, l.size());
        assertFalse(l.holds(0, x));
    }

    @Test
    void aSnapshotCopiesTheNodesNotEachElementAndGivesEveryElementBack() {
        ListValue l = new ListValue();
        List<byte[]> model = new ArrayList<>();
        random = new SplittableRandom(7);
        for (int i = 0; i < 50_000; i++) {
            byte[] v = element();
            l.addLast(v);
            model.add(v);
        }
        FrozenAggregate.Copy copy = FrozenAggregate.copy(l);
        int steps = 0;
        while (!copy.done()) {
            assertTrue(copy.step(512) <= 512 + 63, "a step of 512 copies at most a node past it");
            steps++;
        }
        FrozenAggregate frozen = copy.finish();
        assertEquals(l.nodes(), frozen.strings.length, "one array per node");
        assertTrue(frozen.strings.length < 50_000 / 20, frozen.strings.length + " nodes for 50,000 elements");
        assertEquals((l.nodes() + 7) / 8, steps, "eight nodes a step of 512, for " + l.nodes() + " nodes");
        assertEquals(50_000, frozen.size());
        Iterator<byte[]> it = frozen.listElements();
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), it.next(), "element " + i);
        }
        assertFalse(it.hasNext());
    }

    @Test
    void everyChangeIsRecordedEvenWhereTheEstimateStays() { // the write log logs only commands that changed a key
        Keyspace keyspace = new Keyspace(1);
        ListValue l = new ListValue();
        keyspace.databases[0].put(new Key(new byte[] {'l'}), l, false, 0);
        byte[] a = {'a'};
        List<Runnable> changes = List.of(() -> l.addLast(a), () -> l.addFirst(a), () -> l.addLast(a),
                () -> l.set(1, new byte[] {'b'}), () -> l.insert(1, a), () -> l.removeAt(2), () -> l.removeFirst(),
                () -> l.removeLast(), () -> l.popTo(new Reply(), true), () -> l.addLast(a), () -> l.addLast(a),
                () -> l.addLast(a), () -> l.removeAll(a, 1, false), () -> l.keep(0, 0));
        for (int i = 0; i < changes.size(); i++) {
            long before = keyspace.changes;
            changes.get(i).run();
            assertTrue(keyspace.changes > before, "change " + i + " was not recorded");
        }
        assertEquals(1, l.size());
    }

    private String change(ListValue packed, List<byte[]> model) {
        int n = model.size();
        int choice = random.nextInt(n > 3000 ? 90 : 100); // long lists shrink more often than they grow
        if (n == 0 || choice < 22) {
            byte[] v = element();
            packed.addLast(v);
            model.add(v);
            return "addLast";
        }
        if (choice < 44) {
            byte[] v = element();
            packed.addFirst(v);
            model.addFirst(v);
            return "addFirst";
        }
        if (choice < 56) {
            assertArrayEquals(model.removeFirst(), packed.removeFirst(), "removeFirst");
            return "removeFirst";
        }
        if (choice < 68) {
            assertArrayEquals(model.removeLast(), packed.removeLast(), "removeLast");
            return "removeLast";
        }
        int at = random.nextInt(n);
        if (choice < 74) {
            byte[] v = element();
            packed.insert(at, v);
            model.add(at, v);
            return "insert";
        }
        if (choice < 80) {
            assertArrayEquals(model.remove(at), packed.removeAt(at), "removeAt " + at);
            return "removeAt";
        }
        if (choice < 86) {
            byte[] v = element();
            packed.set(at, v);
            model.set(at, v);
            return "set";
        }
        if (choice < 88) {
            int to = at + random.nextInt(n - at);
            int from = Math.min(random.nextInt(50), to);
            packed.keep(from, to);
            List<byte[]> kept = new ArrayList<>(model.subList(from, to + 1));
            model.clear();
            model.addAll(kept);
            return "keep " + from + ".." + to;
        }
        if (choice < 90) {
            byte[] v = model.get(at);
            long limit = random.nextInt(3) == 0 ? Long.MAX_VALUE : 1 + random.nextInt(4);
            boolean fromTail = random.nextBoolean();
            long expected = removeMatches(model, v, limit, fromTail);
            assertEquals(expected, packed.removeAll(v, limit, fromTail), "removeAll");
            return "removeAll";
        }
        assertArrayEquals(model.get(at), packed.get(at), "get " + at);
        assertEquals(indexOf(model, model.get(at)), packed.indexOf(model.get(at), 0), "indexOf");
        return "get";
    }

    /** Mostly short elements, some of 255 bytes and more, a few longer than a node. */
    private byte[] element() {
        int kind = random.nextInt(100);
        int length = kind < 2 ? 0 : kind < 85 ? 1 + random.nextInt(30) : kind < 98 ? 250 + random.nextInt(600)
                : ListValue.NODE_BYTES + random.nextInt(3000);
        byte[] v = new byte[length];
        random.nextBytes(v);
        return v;
    }

    private static void compare(List<byte[]> model, ListValue packed, String when) {
        assertEquals(model.size(), packed.size(), when);
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), packed.get(i), "element " + i + " read forwards " + when);
            assertTrue(packed.holds(i, model.get(i)), when);
        }
        for (int i = model.size() - 1; i >= 0; i--) {
            assertArrayEquals(model.get(i), packed.get(i), "element " + i + " read backwards " + when);
        }
        Iterator<byte[]> it = FrozenAggregate.of(packed).listElements();
        ListValue copy = packed.copy();
        for (int i = 0; i < model.size(); i++) {
            assertArrayEquals(model.get(i), it.next(), "element " + i + " through a snapshot's copy " + when);
            assertArrayEquals(model.get(i), copy.get(i), "element " + i + " of a copy " + when);
        }
        assertFalse(it.hasNext(), when);
        // a copy's nodes are exact and its ring no larger, where the original's may have room left
        assertTrue(copy.bytes() <= packed.bytes(), "copy " + copy.bytes() + " > " + packed.bytes() + " " + when);
    }

    /**
     * LRANGE's reply ({@link ListValue#writeRange}, which walks the nodes itself) against the model's elements
     * encoded by hand: the whole list, then ranges starting and ending anywhere, within a node and across many.
     */
    private void compareRanges(List<byte[]> model, ListValue packed, String when) {
        if (model.isEmpty()) {
            return;
        }
        assertRange(model, packed, 0, model.size() - 1, when);
        for (int i = 0; i < 20; i++) {
            int from = random.nextInt(model.size());
            int to = Math.min(model.size() - 1, from + random.nextInt(random.nextBoolean() ? 5 : 2_000));
            assertRange(model, packed, from, to, when);
        }
    }

    private static void assertRange(List<byte[]> model, ListValue packed, int from, int to, String when) {
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (int i = from; i <= to; i++) {
            byte[] e = model.get(i);
            expected.writeBytes(("$" + e.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            expected.writeBytes(e);
            expected.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        Reply reply = new Reply();
        packed.writeRange(reply, from, to);
        assertArrayEquals(expected.toByteArray(), reply.drain(), "elements " + from + " to " + to + " " + when);
    }

    private static int indexOf(List<byte[]> model, byte[] v) {
        for (int i = 0; i < model.size(); i++) {
            if (Arrays.equals(model.get(i), v)) {
                return i;
            }
        }
        return -1;
    }

    private static long removeMatches(List<byte[]> model, byte[] v, long limit, boolean fromTail) {
        long removed = 0;
        if (fromTail) {
            for (int i = model.size() - 1; i >= 0 && removed < limit; i--) {
                if (Arrays.equals(model.get(i), v)) {
                    model.remove(i);
                    removed++;
                }
            }
        } else {
            for (int i = 0; i < model.size() && removed < limit; ) {
                if (Arrays.equals(model.get(i), v)) {
                    model.remove(i);
                    removed++;
                } else {
                    i++;
                }
            }
        }
        return removed;
    }
}
