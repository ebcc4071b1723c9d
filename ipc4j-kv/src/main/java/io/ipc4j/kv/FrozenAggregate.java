package io.ipc4j.kv;

import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An aggregate's elements as they were when copied, flat and in the order a snapshot writes them back: what
 * BGREWRITEAOF and BGSAVE write in place of the live value ({@link SnapshotWalk}). A flat copy is one pass over
 * the elements, where a clone of the value rebuilt its hash tables and trees; and a {@link Copy} can be made a
 * few elements at a time, so that the store lock is never held for a whole large value (a hash of 1.26 million
 * fields held it for most of a 399 ms stall in one BGREWRITEAOF, against Redis's fork of 9 ms). The elements
 * themselves are shared, as they are never changed in place, except a list's: its packed nodes are copied whole
 * (a copy of each node's bytes, not an array per element, so that the copy of a list of millions of elements is
 * a few thousand objects for the collector while the snapshot is written).
 */
final class FrozenAggregate {
    /** What the elements make up, which says how they are written back. */
    enum Kind {
        LIST, SET, HASH, SORTED_SET
    }

    final Kind kind;
    /**
     * A list's packed nodes ({@link PackedEntries}; read them with {@link #listElements}), set members, a hash's
     * fields and values in turn, or a sorted set's members in order.
     */
    final byte[][] strings;
    /** Elements in the value (a list's; the others' follow from their strings). */
    private final int count;
    /** The sorted set's scores, beside its members; null for the other kinds. */
    final double[] scores;

    /** Room for {@code size} elements; for a list, for its {@code size} elements in {@code nodes} nodes. */
    private FrozenAggregate(Kind kind, int size, int nodes) {
        this.kind = kind;
        this.count = size;
        this.strings = new byte[kind == Kind.LIST ? nodes : kind == Kind.HASH ? 2 * size : size][];
        this.scores = kind == Kind.SORTED_SET ? new double[size] : null;
    }

    /** Elements in the value: list elements, set members, hash fields, sorted-set members. */
    int size() {
        return count;
    }

    /** A list's elements in order, each a new array. */
    Iterator<byte[]> listElements() {
        if (kind != Kind.LIST) {
            throw new IllegalStateException("a " + kind + " is not a list");
        }
        return new Iterator<>() {
            private int node;
            private int offset;

            @Override
            public boolean hasNext() {
                while (node < strings.length && offset >= strings[node].length) {
                    node++;
                    offset = 0;
                }
                return node < strings.length;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] element = PackedEntries.element(strings[node], offset);
                offset = PackedEntries.next(strings[node], offset);
                return element;
            }
        };
    }

    /** A whole copy of {@code value} now. */
    static FrozenAggregate of(Aggregate value) {
        return copy(value).finish();
    }

    /** A copy of {@code value} to be made a step at a time, while it does not change (see {@link Copy}). */
    static Copy copy(Aggregate value) {
        return switch (value) {
            case ListValue l -> new Copy(value, new FrozenAggregate(Kind.LIST, l.size(), l.nodes()), l.nodeCopies());
            case SetValue s -> new Copy(value, new FrozenAggregate(Kind.SET, s.size(), 0), s.members().iterator());
            case HashValue h -> new Copy(value, new FrozenAggregate(Kind.HASH, h.size(), 0), h.entries().iterator());
            case SortedSetValue z ->
                    new Copy(value, new FrozenAggregate(Kind.SORTED_SET, z.size(), 0), z.ordered().iterator());
        };
    }

    /**
     * A copy in progress. Between its steps the value must not change: whoever is about to change it finishes
     * the copy first ({@link SnapshotWalk} does, as every change tells it). A step that finds the value changed
     * anyway throws IllegalStateException rather than hand out a mixture of two states.
     */
    static final class Copy {
        /**
         * What copying one list node counts as against a step's budget of elements: a node is up to
         * {@link ListValue#NODE_BYTES} of bytes to copy, where another element is one reference.
         */
        private static final int LIST_NODE_WEIGHT = 64;
        private final Aggregate source;
        private final int version;
        private final FrozenAggregate target;
        private final Iterator<?> elements;
        private int filled;

        private Copy(Aggregate source, FrozenAggregate target, Iterator<?> elements) {
            this.source = source;
            this.version = source.version();
            this.target = target;
            this.elements = elements;
        }

        /**
         * Copies up to {@code most} more elements (a list's nodes count {@link #LIST_NODE_WEIGHT} each, and a node
         * begun is copied whole, so the count may pass {@code most}); returns how many it counted.
         */
        int step(int most) {
            if (source.version() != version) {
                throw new IllegalStateException("a " + source.type() + " changed while a snapshot copied it");
            }
            int weight = target.kind == Kind.LIST ? LIST_NODE_WEIGHT : 1;
            int copied = 0;
            while (copied < most && elements.hasNext()) {
                put(elements.next());
                copied = (int) Math.min(Integer.MAX_VALUE, (long) copied + weight);
            }
            return copied;
        }

        /** Whether every element has been copied. */
        boolean done() {
            return !elements.hasNext();
        }

        /** Copies the rest and returns the copy. */
        FrozenAggregate finish() {
            step(Integer.MAX_VALUE);
            return target;
        }

        private void put(Object element) {
            byte[][] strings = target.strings;
            switch (element) {
                case byte[] listNode -> strings[filled++] = listNode;
                case Key member -> strings[filled++] = member.bytes;
                case Map.Entry<?, ?> field -> {
                    strings[filled++] = ((Key) field.getKey()).bytes;
                    strings[filled++] = (byte[]) field.getValue();
                }
                case SortedSetValue.Node node -> {
                    target.scores[filled] = node.score();
                    strings[filled++] = node.member().bytes;
                }
                default -> throw new IllegalStateException("an element of unknown type: " + element.getClass());
            }
        }
    }
}
