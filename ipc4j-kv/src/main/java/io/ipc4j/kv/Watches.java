package io.ipc4j.kv;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** WATCH: which clients watch which keys; a change to a watched key makes those clients' EXEC fail. */
final class Watches {
    private final Keyspace keyspace;
    private final Map<Keyspace.DbKey, Set<Client>> watchers = new HashMap<>();

    Watches(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    void watch(Client c, Keyspace.DbKey key, boolean exists) {
        if (c.watched.containsKey(key)) {
            return;
        }
        c.watched.put(key, exists);
        watchers.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(c);
        keyspace.listeners++;
    }

    void unwatchAll(Client c) {
        for (Keyspace.DbKey k : c.watched.keySet()) {
            Set<Client> s = watchers.get(k);
            s.remove(c);
            if (s.isEmpty()) {
                watchers.remove(k);
            }
            keyspace.listeners--;
        }
        c.watched.clear();
        c.watchDirty = false;
    }

    /** Marks the watchers of the changed keys. */
    void changed(List<Keyspace.DbKey> keys) {
        if (watchers.isEmpty()) {
            return;
        }
        for (Keyspace.DbKey k : keys) {
            Set<Client> s = watchers.get(k);
            if (s != null) {
                s.forEach(c -> c.watchDirty = true);
            }
        }
    }

    /** Whether EXEC must fail: a watched key changed, or one that existed has expired since. */
    boolean broken(Client c, long now) {
        if (c.watchDirty) {
            return true;
        }
        for (Map.Entry<Keyspace.DbKey, Boolean> w : c.watched.entrySet()) {
            if (w.getValue() && keyspace.databases[w.getKey().db()].lookup(w.getKey().key(), now) == null) {
                return true;
            }
        }
        return false;
    }
}
