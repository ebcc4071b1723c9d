package io.ipc4j.kv;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A list, packed as Redis packs one (a quicklist of listpacks): its elements lie back to back in nodes, byte arrays
 * of at most about {@link #NODE_BYTES} each (an element longer than that has a node of its own), in the format of
 * {@link PackedEntries}. A list of millions of small elements is then a few thousand objects for the collector
 * instead of millions: with one array per element, every young collection copied each element pushed since the
 * last one, and a bulk LPUSH waited 150-220 ms at a time for it.
 * <p>
 * Work at both ends is O(1). An index is found by walking whole nodes from the nearer end of the list, then the
 * entries of its node from the nearer end of the node; the position found last is kept until the list changes,
 * so a scan that moves one index at a time (LRANGE, LPOS, LINDEX in a loop) costs O(1) a step. Elements handed
 * out are copies; changes go through {@link #changing()} first. Not thread-safe: used under the store lock.
 */
final class ListValue extends Aggregate {
    /** A node's packed bytes past which pushes start a new node (Redis's default list-max-listpack-size -2). */
    static final int NODE_BYTES = 8 * 1024;
    /** A new list's first node: small lists stay small, and the node doubles as it fills. */
    private static final int FIRST_NODE_BYTES = 64;
    /** Heap bytes of a Node object (header, the array reference, three ints) and of this object. */
    private static final long NODE_HEAP = 32;
    private static final long LIST_HEAP = 64;

    private Node[] nodes = new Node[4];
    private int first;
    private int nodeCount;
    private int size;
    /** The position found last by {@link #locate}: the element's index, or -1 when the list changed since. */
    private int atIndex = -1;
    /** Its node's place among the nodes, the index of that node's first element, and the entry's offset. */
    private int atNode;
    private int atNodeStart;
    private int atOffset;

    ListValue() {
        grow(LIST_HEAP + heap(4 * nodes.length));
    }

    @Override
    int size() {
        return size;
    }

    @Override
    String type() {
        return "list";
    }

    @Override
    String encoding() {
        return "quicklist";
    }

    byte[] get(int index) {
        locate(index);
        return PackedEntries.element(node(atNode).data, atOffset);
    }

    /** Whether element {@code index} is exactly {@code value} (nothing is copied). */
    boolean holds(int index, byte[] value) {
        locate(index);
        return PackedEntries.holds(node(atNode).data, atOffset, value);
    }

    /** Adds elements {@code from..to} (inclusive, within the list) to {@code reply} as bulk strings. */
    void writeRange(Reply reply, int from, int to) {
        if (from > to) {
            return;
        }
        locate(from); // then a walk of its own through the nodes: the kept position stays at from
        int place = atNode;
        Node n = node(place);
        int offset = atOffset;
        int leftInNode = n.count - (from - atNodeStart);
        for (int remaining = to - from + 1; remaining > 0; remaining--) {
            if (leftInNode == 0) {
                n = node(++place);
                offset = n.start;
                leftInNode = n.count;
            }
            byte[] data = n.data;
            reply.bulk(data, PackedEntries.data(data, offset), PackedEntries.length(data, offset));
            offset = PackedEntries.next(data, offset);
            leftInNode--;
        }
    }

    void set(int index, byte[] value) {
        modify();
        locate(index);
        Node n = node(atNode);
        int old = PackedEntries.next(n.data, atOffset) - atOffset;
        if (old == PackedEntries.size(value.length)) {
            PackedEntries.write(n.data, atOffset, value);
        } else {
            splice(n, atOffset, old, value);
            splitIfLarge(atNode);
        }
        atIndex = -1;
    }

    void addFirst(byte[] value) {
        modify();
        int need = PackedEntries.size(value.length);
        Node n = nodeCount == 0 ? null : node(0);
        if (n == null || n.used() + need > NODE_BYTES) {
            n = new Node(newNodeBytes(need), true);
            insertNode(0, n);
        } else if (n.start < need) {
            make(n, need, true);
        }
        n.start -= need;
        PackedEntries.write(n.data, n.start, value);
        n.count++;
        size++;
    }

    void addLast(byte[] value) {
        modify();
        int need = PackedEntries.size(value.length);
        Node n = nodeCount == 0 ? null : node(nodeCount - 1);
        if (n == null || n.used() + need > NODE_BYTES) {
            n = new Node(newNodeBytes(need), false);
            insertNode(nodeCount, n);
        } else if (n.end + need > n.data.length) {
            make(n, need, false);
        }
        n.end = PackedEntries.write(n.data, n.end, value);
        n.count++;
        size++;
    }

    byte[] removeFirst() {
        Node n = node(0);
        byte[] v = PackedEntries.element(n.data, n.start);
        modify();
        dropFirst(1);
        return v;
    }

    byte[] removeLast() {
        Node n = node(nodeCount - 1);
        byte[] v = PackedEntries.element(n.data, PackedEntries.previous(n.data, n.end));
        modify();
        dropLast(1);
        return v;
    }

    /** Removes the first or last element, adding it to {@code reply} as a bulk string (nothing is allocated). */
    void popTo(Reply reply, boolean fromHead) {
        Node n = node(fromHead ? 0 : nodeCount - 1);
        int at = fromHead ? n.start : PackedEntries.previous(n.data, n.end);
        reply.bulk(n.data, PackedEntries.data(n.data, at), PackedEntries.length(n.data, at));
        modify();
        if (fromHead) {
            dropFirst(1);
        } else {
            dropLast(1);
        }
    }

    /** Inserts {@code value} so that it becomes element {@code index} (0..size). */
    void insert(int index, byte[] value) {
        if (index == 0) {
            addFirst(value);
            return;
        }
        if (index == size) {
            addLast(value);
            return;
        }
        modify();
        locate(index);
        Node n = node(atNode);
        splice(n, atOffset, 0, value);
        n.count++;
        size++;
        splitIfLarge(atNode);
        atIndex = -1;
    }

    /** Removes element {@code index}, shifting the later ones down. */
    byte[] removeAt(int index) {
        modify();
        locate(index);
        int place = atNode;
        Node n = node(place);
        byte[] v = PackedEntries.element(n.data, atOffset);
        splice(n, atOffset, PackedEntries.next(n.data, atOffset) - atOffset, null);
        n.count--;
        size--;
        if (n.count == 0) {
            removeNode(place);
        }
        atIndex = -1;
        return v;
    }

    /** Keeps elements {@code from..to} (inclusive, already clamped to the list; from > to empties it). */
    void keep(int from, int to) {
        int dropTail = from > to ? size : size - 1 - to;
        int dropHead = from > to ? 0 : from;
        if (dropTail == 0 && dropHead == 0) {
            return;
        }
        modify();
        dropLast(dropTail);
        dropFirst(dropHead);
    }

    /** The index of the first element equal to {@code value} at or after {@code from}, or -1. */
    int indexOf(byte[] value, int from) {
        for (int i = from; i < size; i++) {
            if (holds(i, value)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Removes up to {@code limit} elements equal to {@code value}, the first ones from the head, or from the tail
     * if {@code fromTail}, in one pass (LREM).
     *
     * @return how many it removed
     */
    long removeAll(byte[] value, long limit, boolean fromTail) {
        if (indexOf(value, 0) < 0) {
            return 0; // unchanged, so no snapshot in progress has to copy it
        }
        modify();
        long left = limit;
        for (int k = 0; k < nodeCount && left > 0; ) {
            int place = fromTail ? nodeCount - 1 - k : k;
            Node n = node(place);
            int removed = fromTail ? n.removeFromEnd(value, left) : n.removeFromStart(value, left);
            left -= removed;
            size -= removed;
            if (n.count == 0) {
                removeNode(place);
                continue; // the same k names the next node to look at, from either end
            }
            k++;
        }
        return limit - left;
    }

    /** How many nodes hold the elements. */
    int nodes() {
        return nodeCount;
    }

    /**
     * A copy of each node's packed entries in turn, from the head ({@link FrozenAggregate} copies a list so):
     * after a change it must not be used again.
     */
    Iterator<byte[]> nodeCopies() {
        return new Iterator<>() {
            private int place;

            @Override
            public boolean hasNext() {
                return place < nodeCount;
            }

            @Override
            public byte[] next() {
                if (place >= nodeCount) {
                    throw new NoSuchElementException();
                }
                Node n = node(place++);
                return Arrays.copyOfRange(n.data, n.start, n.end);
            }
        };
    }

    @Override
    ListValue copy() {
        ListValue c = new ListValue();
        for (int i = 0; i < nodeCount; i++) {
            Node n = node(i);
            c.insertNode(i, new Node(Arrays.copyOfRange(n.data, n.start, n.end), n.count));
        }
        c.size = size;
        return c;
    }

    /**
     * Before any change: a snapshot in progress copies the list first, the change is recorded (most leave the
     * estimate as it was, so {@link #grow} would not), and the kept position is forgotten.
     */
    private void modify() {
        changing();
        changed();
        atIndex = -1;
    }

    private Node node(int place) {
        return nodes[(first + place) & (nodes.length - 1)];
    }

    /** Finds element {@code index}: sets the kept position to it. */
    private void locate(int index) {
        if (atIndex >= 0) {
            if (index == atIndex) {
                return;
            }
            if (index == atIndex + 1) {
                stepForward();
                return;
            }
            if (index == atIndex - 1) {
                stepBack();
                return;
            }
        }
        int place;
        int nodeStart;
        if (index < size / 2) {
            place = 0;
            nodeStart = 0;
            while (nodeStart + node(place).count <= index) {
                nodeStart += node(place++).count;
            }
        } else {
            place = nodeCount - 1;
            nodeStart = size - node(place).count;
            while (nodeStart > index) {
                nodeStart -= node(--place).count;
            }
        }
        Node n = node(place);
        int local = index - nodeStart;
        int at;
        if (local < n.count / 2) {
            at = n.start;
            for (int k = 0; k < local; k++) {
                at = PackedEntries.next(n.data, at);
            }
        } else {
            at = n.end;
            for (int k = n.count; k > local; k--) {
                at = PackedEntries.previous(n.data, at);
            }
        }
        atIndex = index;
        atNode = place;
        atNodeStart = nodeStart;
        atOffset = at;
    }

    private void stepForward() {
        Node n = node(atNode);
        if (atIndex + 1 - atNodeStart < n.count) {
            atOffset = PackedEntries.next(n.data, atOffset);
        } else {
            atNodeStart += n.count;
            atOffset = node(++atNode).start;
        }
        atIndex++;
    }

    private void stepBack() {
        if (atIndex > atNodeStart) {
            atOffset = PackedEntries.previous(node(atNode).data, atOffset);
        } else {
            Node n = node(--atNode);
            atNodeStart -= n.count;
            atOffset = PackedEntries.previous(n.data, n.end);
        }
        atIndex--;
    }

    private void dropFirst(int count) {
        int left = count;
        while (left > 0) {
            Node n = node(0);
            if (n.count <= left) {
                left -= n.count;
                size -= n.count;
                removeNode(0);
                continue;
            }
            for (int k = 0; k < left; k++) {
                n.start = PackedEntries.next(n.data, n.start);
            }
            n.count -= left;
            size -= left;
            left = 0;
        }
    }

    private void dropLast(int count) {
        int left = count;
        while (left > 0) {
            Node n = node(nodeCount - 1);
            if (n.count <= left) {
                left -= n.count;
                size -= n.count;
                removeNode(nodeCount - 1);
                continue;
            }
            for (int k = 0; k < left; k++) {
                n.end = PackedEntries.previous(n.data, n.end);
            }
            n.count -= left;
            size -= left;
            left = 0;
        }
    }

    /** A new node's array: the first node starts small, later ones at full size, a long element's fits it. */
    private int newNodeBytes(int need) {
        return Math.max(need, nodeCount == 0 ? FIRST_NODE_BYTES : NODE_BYTES);
    }

    /**
     * Makes room for {@code need} more bytes at the node's front or end: by moving its entries to the other end
     * when that leaves a quarter of the array free, else into an array twice as large (at most twice
     * {@link #NODE_BYTES}, or as large as needed). The quarter bounds the moving when a list used as a queue slides
     * through a nearly full node: a node moves its bytes at most once per quarter array of pushes.
     */
    private void make(Node n, int need, boolean atFront) {
        int used = n.used();
        byte[] to = n.data;
        if (used + need > n.data.length - n.data.length / 4) {
            to = new byte[Math.max(used + need, Math.min(2 * NODE_BYTES, n.data.length * 2))];
            grow(heap(to.length) - heap(n.data.length));
        }
        int at = atFront ? to.length - used : 0;
        System.arraycopy(n.data, n.start, to, at, used);
        n.data = to;
        n.start = at;
        n.end = at + used;
    }

    /** Replaces {@code remove} bytes at {@code at} with {@code value}'s entry (none if null); counts unchanged. */
    private void splice(Node n, int at, int remove, byte[] value) {
        int add = value == null ? 0 : PackedEntries.size(value.length);
        int tail = n.end - at - remove;
        int delta = add - remove;
        int writeAt = at;
        if (n.end + delta <= n.data.length) {
            System.arraycopy(n.data, at + remove, n.data, at + add, tail);
            n.end += delta;
        } else {
            int used = n.used() + delta;
            byte[] to = new byte[Math.max(used, Math.min(NODE_BYTES, n.data.length * 2))];
            int head = at - n.start;
            System.arraycopy(n.data, n.start, to, 0, head);
            System.arraycopy(n.data, at + remove, to, head + add, tail);
            grow(heap(to.length) - heap(n.data.length));
            n.data = to;
            n.start = 0;
            n.end = used;
            writeAt = head;
        }
        if (value != null) {
            PackedEntries.write(n.data, writeAt, value);
        }
    }

    /** Splits a node that a change in its middle took past {@link #NODE_BYTES} into two halves. */
    private void splitIfLarge(int place) {
        Node n = node(place);
        if (n.used() <= NODE_BYTES || n.count < 2) {
            return;
        }
        int half = n.count / 2;
        int mid = n.start;
        for (int k = 0; k < half; k++) {
            mid = PackedEntries.next(n.data, mid);
        }
        Node right = new Node(Arrays.copyOfRange(n.data, mid, n.end), n.count - half);
        n.end = mid;
        n.count = half;
        insertNode(place + 1, right);
    }

    private void insertNode(int place, Node n) {
        if (nodeCount == nodes.length) {
            Node[] bigger = new Node[nodes.length * 2];
            for (int i = 0; i < nodeCount; i++) {
                bigger[i] = node(i);
            }
            grow(heap(4 * bigger.length) - heap(4 * nodes.length));
            nodes = bigger;
            first = 0;
        }
        int mask = nodes.length - 1;
        if (place == 0) {
            first = (first - 1) & mask;
        } else {
            for (int i = nodeCount; i > place; i--) {
                nodes[(first + i) & mask] = nodes[(first + i - 1) & mask];
            }
        }
        nodes[(first + place) & mask] = n;
        nodeCount++;
        grow(NODE_HEAP + heap(n.data.length));
    }

    private void removeNode(int place) {
        int mask = nodes.length - 1;
        grow(-(NODE_HEAP + heap(node(place).data.length)));
        if (place == 0) {
            nodes[first] = null;
            first = (first + 1) & mask;
        } else {
            for (int i = place; i < nodeCount - 1; i++) {
                nodes[(first + i) & mask] = nodes[(first + i + 1) & mask];
            }
            nodes[(first + nodeCount - 1) & mask] = null;
        }
        nodeCount--;
    }

    /** Entries in {@code data[start..end)}; never empty while in a list. */
    private static final class Node {
        byte[] data;
        int start;
        int end;
        int count;

        /** An empty node whose entries will grow from the array's end ({@code fromEnd}) or its start. */
        Node(int bytes, boolean fromEnd) {
            data = new byte[bytes];
            start = fromEnd ? bytes : 0;
            end = start;
        }

        /** A node holding exactly {@code entries}. */
        Node(byte[] entries, int count) {
            data = entries;
            end = entries.length;
            this.count = count;
        }

        int used() {
            return end - start;
        }

        /** Removes up to {@code limit} entries equal to {@code value}, the first ones first; returns how many. */
        int removeFromStart(byte[] value, long limit) {
            int write = start;
            int removed = 0;
            for (int read = start; read < end; ) {
                int next = PackedEntries.next(data, read);
                if (removed < limit && PackedEntries.holds(data, read, value)) {
                    removed++;
                } else {
                    if (write != read) {
                        System.arraycopy(data, read, data, write, next - read);
                    }
                    write += next - read;
                }
                read = next;
            }
            end = write;
            count -= removed;
            return removed;
        }

        /** Removes up to {@code limit} entries equal to {@code value}, the last ones first; returns how many. */
        int removeFromEnd(byte[] value, long limit) {
            int write = end;
            int removed = 0;
            for (int read = end; read > start; ) {
                int previous = PackedEntries.previous(data, read);
                if (removed < limit && PackedEntries.holds(data, previous, value)) {
                    removed++;
                } else {
                    write -= read - previous;
                    if (write != previous) {
                        System.arraycopy(data, previous, data, write, read - previous);
                    }
                }
                read = previous;
            }
            start = write;
            count -= removed;
            return removed;
        }
    }
}
