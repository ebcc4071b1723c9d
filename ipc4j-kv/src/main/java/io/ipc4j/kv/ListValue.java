package io.ipc4j.kv;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** A list: a ring buffer of elements with O(1) work at both ends and indexed access. */
final class ListValue extends Aggregate {
    private byte[][] ring = new byte[8][];
    private int head;
    private int size;

    ListValue() {
        grow(64);
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
        return ring[slot(index)];
    }

    void set(int index, byte[] value) {
        changing();
        int s = slot(index);
        grow(heap(value.length) - heap(ring[s].length));
        ring[s] = value;
    }

    void addFirst(byte[] value) {
        changing();
        ensure();
        head = (head - 1) & (ring.length - 1);
        ring[head] = value;
        size++;
        grow(heap(value.length)); // its slot is counted when the ring grows
    }

    void addLast(byte[] value) {
        changing();
        ensure();
        ring[slot(size)] = value;
        size++;
        grow(heap(value.length)); // its slot is counted when the ring grows
    }

    byte[] removeFirst() {
        changing();
        byte[] v = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        grow(-heap(v.length));
        return v;
    }

    byte[] removeLast() {
        changing();
        int s = slot(size - 1);
        byte[] v = ring[s];
        ring[s] = null;
        size--;
        grow(-heap(v.length));
        return v;
    }

    /** Inserts {@code value} so that it becomes element {@code index} (0..size). */
    void insert(int index, byte[] value) {
        if (index == 0) {
            addFirst(value);
            return;
        }
        addLast(value);
        for (int i = size - 1; i > index; i--) {
            ring[slot(i)] = ring[slot(i - 1)];
        }
        ring[slot(index)] = value;
    }

    /** Removes element {@code index}, shifting the later ones down. */
    byte[] removeAt(int index) {
        changing();
        byte[] v = get(index);
        for (int i = index; i < size - 1; i++) {
            ring[slot(i)] = ring[slot(i + 1)];
        }
        ring[slot(size - 1)] = v;
        return removeLast();
    }

    /** Keeps elements {@code from..to} (inclusive, already clamped to the list; from > to empties it). */
    void keep(int from, int to) {
        int dropTail = from > to ? size : size - 1 - to;
        for (int i = 0; i < dropTail; i++) {
            removeLast();
        }
        int dropHead = from > to ? 0 : from;
        for (int i = 0; i < dropHead; i++) {
            removeFirst();
        }
    }

    /** The index of the first element equal to {@code value} at or after {@code from}, or -1. */
    int indexOf(byte[] value, int from) {
        for (int i = from; i < size; i++) {
            if (Arrays.equals(get(i), value)) {
                return i;
            }
        }
        return -1;
    }

    /** The elements from the head, for reading only: a change meanwhile is not noticed. */
    Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public byte[] next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }

    @Override
    ListValue copy() { // the ring as it is: one array copy (BGREWRITEAOF copies under the store lock)
        ListValue c = new ListValue();
        c.ring = ring.clone();
        c.head = head;
        c.size = size;
        c.grow(bytes() - c.bytes());
        return c;
    }

    private int slot(int index) {
        return (head + index) & (ring.length - 1);
    }

    private void ensure() {
        if (size < ring.length) {
            return;
        }
        byte[][] bigger = new byte[ring.length * 2][];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[slot(i)];
        }
        grow(4L * ring.length);
        ring = bigger;
        head = 0;
    }
}
