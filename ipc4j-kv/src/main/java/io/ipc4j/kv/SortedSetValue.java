package io.ipc4j.kv;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * A sorted set: members with scores, ordered by score, then by member bytes (unsigned), as Redis orders them.
 * Rank lookups walk the ordered view, which is linear in the rank.
 */
final class SortedSetValue extends Aggregate {
    private static final int PER_MEMBER = 136; // a HashMap node and slot, a tree node, the Node record, a boxed score

    /** A member and its score; {@code member} null is a bound below (low) or above (high) every member. */
    record Node(double score, Key member, boolean high) {
    }

    static final Comparator<Node> ORDER = (a, b) -> {
        int c = Double.compare(a.score == 0.0 ? 0.0 : a.score, b.score == 0.0 ? 0.0 : b.score);
        if (c != 0) {
            return c;
        }
        if (a.member == null || b.member == null) {
            if (a.member == b.member) {
                return Boolean.compare(a.high, b.high);
            }
            return a.member == null ? (a.high ? 1 : -1) : (b.high ? -1 : 1);
        }
        return Arrays.compareUnsigned(a.member.bytes, b.member.bytes);
    };

    private final HashMap<Key, Double> scores;
    private final TreeSet<Node> order;
    /** Converted from a listpack to a skiplist: as in Redis, it never converts back. */
    private boolean skiplist;

    SortedSetValue() {
        scores = new HashMap<>();
        order = new TreeSet<>(ORDER);
        grow(96);
    }

    @SuppressWarnings("unchecked")
    private SortedSetValue(SortedSetValue source) { // clones: the tree is rebuilt from its sorted order in O(n)
        scores = (HashMap<Key, Double>) source.scores.clone();
        order = (TreeSet<Node>) source.order.clone();
        skiplist = source.skiplist;
        grow(source.bytes());
    }

    @Override
    int size() {
        return scores.size();
    }

    @Override
    String type() {
        return "zset";
    }

    @Override
    String encoding() {
        return skiplist ? "skiplist" : "listpack";
    }

    /** The member's score, or null. */
    Double score(Key member) {
        return scores.get(member);
    }

    /** Sets a member's score; true if the member is new. */
    boolean put(Key member, double score) {
        changing();
        Double old = scores.put(member, score);
        if (old != null) {
            order.remove(new Node(old, member, false));
            if (old != score) {
                grow(0); // a new score is a change: the log and WATCH see it (Redis: a score equal as a double is not)
            }
        } else {
            if (scores.size() > 128 || member.bytes.length > 64) {
                skiplist = true;
            }
            grow(keyHeap(member.bytes.length) + PER_MEMBER);
        }
        order.add(new Node(score, member, false));
        return old == null;
    }

    boolean remove(Key member) {
        changing();
        Double old = scores.remove(member);
        if (old == null) {
            return false;
        }
        order.remove(new Node(old, member, false));
        grow(-(keyHeap(member.bytes.length) + PER_MEMBER));
        return true;
    }

    /** Every member in order (ascending). */
    NavigableSet<Node> ordered() {
        return order;
    }

    /** 0-based rank of the member in ascending order, or -1. */
    long rank(Key member) {
        Double s = scores.get(member);
        if (s == null) {
            return -1;
        }
        return order.headSet(new Node(s, member, false), false).size();
    }

    /** Members with scores in the range (each bound inclusive or not). */
    NavigableSet<Node> byScore(double min, boolean minInclusive, double max, boolean maxInclusive) {
        if (min > max) {
            return new TreeSet<>(ORDER);
        }
        Node from = new Node(min, null, !minInclusive);
        Node to = new Node(max, null, maxInclusive);
        if (ORDER.compare(from, to) > 0) {
            return new TreeSet<>(ORDER);
        }
        return order.subSet(from, true, to, true);
    }

    Iterator<Node> descending() {
        return order.descendingIterator();
    }

    @Override
    SortedSetValue copy() {
        return new SortedSetValue(this);
    }
}
