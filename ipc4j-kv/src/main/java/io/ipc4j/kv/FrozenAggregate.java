package io.ipc4j.kv;

import java.util.Iterator;
import java.util.Map;

/**
 * An aggregate's elements as they were when copied, flat and in the order a snapshot writes them back: what
 * BGREWRITEAOF and BGSAVE write in place of the live value ({@link SnapshotWalk}). A flat copy is one pass over
 * the elements, where a clone of the value rebuilt its hash tables and trees; and a {@link Copy} can be made a
 * few elements at a time, so that the store lock is never held for a whole large value (a hash of 1.26 million
 * fields held it for most of a 399 ms stall in one BGREWRITEAOF, against Redis's fork of 9 ms). The elements
 * themselves are shared, as they are never changed in place.
 */
final class FrozenAggregate {
    /** What the elements make up, which says how they are written back. */
    enum Kind {
        LIST, SET, HASH, SORTED_SET
    }

    final Kind kind;
    /** List elements, set members, a hash's fields and values in turn, or a sorted set's members in order. */
    final byte[][] strings;
    /** The sorted set's scores, beside its members; null for the other kinds. */
    final double[] scores;

    private FrozenAggregate(Kind kind, int size) {
        this.kind = kind;
        this.strings = new byte[kind == Kind.HASH ? 2 * size : size][];
        this.scores = kind == Kind.SORTED_SET ? new double[size] : null;
    }

    /** Elements in the value: list elements, set members, hash fields, sorted-set members. */
    int size() {
        return kind == Kind.HASH ? strings.length / 2 : strings.length;
    }

    /** A whole copy of {@code value} now. */
    static FrozenAggregate of(Aggregate value) {
        return copy(value).finish();
    }

    /** A copy of {@code value} to be made a step at a time, while it does not change (see {@link Copy}). */
    static Copy copy(Aggregate value) {
        return switch (value) {
            case ListValue l -> new Copy(value, new FrozenAggregate(Kind.LIST, l.size()), l.iterator());
            case SetValue s -> new Copy(value, new FrozenAggregate(Kind.SET, s.size()), s.members().iterator());
            case HashValue h -> new Copy(value, new FrozenAggregate(Kind.HASH, h.size()), h.entries().iterator());
            case SortedSetValue z ->
                    new Copy(value, new FrozenAggregate(Kind.SORTED_SET, z.size()), z.ordered().iterator());
        };
    }

    /**
     * A copy in progress. Between its steps the value must not change: whoever is about to change it finishes
     * the copy first ({@link SnapshotWalk} does, as every change tells it). A step that finds the value changed
     * anyway throws IllegalStateException rather than hand out a mixture of two states.
     */
    static final class Copy {
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

        /** Copies up to {@code most} more elements; returns how many it copied. */
        int step(int most) {
            if (source.version() != version) {
                throw new IllegalStateException("a " + source.type() + " changed while a snapshot copied it");
            }
            int copied = 0;
            while (copied < most && elements.hasNext()) {
                put(elements.next());
                copied++;
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
                case byte[] listElement -> strings[filled++] = listElement;
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
