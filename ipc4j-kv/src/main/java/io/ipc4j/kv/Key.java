package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A binary-safe key: its bytes with the hash computed once. The bytes never change while the key is stored
 * anywhere; only a key over a pooled argument of a read-only request (see {@link ArgumentPool}), which is never
 * stored, sees them change at the next request, and is then {@link #rehash}ed by {@link Call#key}.
 */
final class Key {
    final byte[] bytes;
    private int hash;

    Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The bytes changed (a pooled argument's array, reused): recomputes the hash. */
    void rehash() {
        hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
