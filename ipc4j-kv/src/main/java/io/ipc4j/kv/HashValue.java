package io.ipc4j.kv;

import java.util.LinkedHashMap;
import java.util.Map;

/** A hash: fields to values, in insertion order (as Redis's listpack keeps a small hash). */
final class HashValue extends Aggregate {
    private static final int PER_ENTRY = 48; // LinkedHashMap's entry and table slot
    private final LinkedHashMap<Key, byte[]> map;
    /** Converted from a listpack to a hashtable: as in Redis, it never converts back. */
    private boolean hashtable;

    HashValue() {
        map = new LinkedHashMap<>();
        grow(64);
    }

    @SuppressWarnings("unchecked")
    private HashValue(HashValue source) { // a clone of the table, not a put per field
        map = (LinkedHashMap<Key, byte[]>) source.map.clone();
        hashtable = source.hashtable;
        grow(source.bytes());
    }

    @Override
    int size() {
        return map.size();
    }

    @Override
    String type() {
        return "hash";
    }

    @Override
    String encoding() {
        return hashtable ? "hashtable" : "listpack";
    }

    byte[] get(Key field) {
        return map.get(field);
    }

    /** Sets a field; true if it is new. */
    boolean put(Key field, byte[] value) {
        changing();
        byte[] old = map.put(field, value);
        if (map.size() > 128 || field.bytes.length > 64 || value.length > 64) {
            hashtable = true;
        }
        if (old == null) {
            grow(keyHeap(field.bytes.length) + heap(value.length) + PER_ENTRY);
            return true;
        }
        grow(heap(value.length) - heap(old.length));
        return false;
    }

    boolean remove(Key field) {
        changing();
        byte[] old = map.remove(field);
        if (old == null) {
            return false;
        }
        grow(-(keyHeap(field.bytes.length) + heap(old.length) + PER_ENTRY));
        return true;
    }

    Iterable<Map.Entry<Key, byte[]>> entries() {
        return map.entrySet();
    }

    @Override
    HashValue copy() {
        return new HashValue(this);
    }
}
