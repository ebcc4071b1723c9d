package io.ipc4j.kv;

import java.util.LinkedHashSet;

/** A set of members, in insertion order. */
final class SetValue extends Aggregate {
    private static final int PER_MEMBER = 52; // a LinkedHashMap entry and its table slot
    private final LinkedHashSet<Key> members;
    /** Converted from an intset to a hashtable: as in Redis, it never converts back. */
    private boolean hashtable;

    SetValue() {
        members = new LinkedHashSet<>();
        grow(64);
    }

    @SuppressWarnings("unchecked")
    private SetValue(SetValue source) { // a clone of the table, not an add per member
        members = (LinkedHashSet<Key>) source.members.clone();
        hashtable = source.hashtable;
        grow(source.bytes());
    }

    @Override
    int size() {
        return members.size();
    }

    @Override
    String type() {
        return "set";
    }

    @Override
    String encoding() {
        return hashtable ? "hashtable" : "intset";
    }

    boolean contains(Key member) {
        return members.contains(member);
    }

    boolean add(Key member) {
        changing();
        if (!members.add(member)) {
            return false;
        }
        if (!Numbers.isLong(member.bytes) || members.size() > 512) {
            hashtable = true;
        }
        grow(keyHeap(member.bytes.length) + PER_MEMBER);
        return true;
    }

    boolean remove(Key member) {
        changing();
        if (!members.remove(member)) {
            return false;
        }
        grow(-(keyHeap(member.bytes.length) + PER_MEMBER));
        return true;
    }

    /** The members: in numeric order while the set is an intset (as Redis's are), else insertion order. */
    Iterable<Key> members() {
        if (!encoding().equals("intset")) {
            return members;
        }
        java.util.List<Key> sorted = new java.util.ArrayList<>(members);
        sorted.sort(java.util.Comparator.comparingLong(k -> Numbers.parseLongOrMin(k.bytes)));
        return sorted;
    }

    /** The members as an array (for random picks and for iterating while removing). */
    Key[] toArray() {
        java.util.List<Key> all = new java.util.ArrayList<>();
        members().forEach(all::add);
        return all.toArray(Key[]::new);
    }

    @Override
    SetValue copy() {
        return new SetValue(this);
    }
}
