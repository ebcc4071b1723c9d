package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertNull;

/** Data as text for tests to compare: each key, by "database/name", as the commands that rebuild it. */
final class KeyspaceText {
    private KeyspaceText() {
    }

    /** Every live key of {@code ks} at {@code now}, its value by reference. */
    static List<AofSnapshot.Item> items(Keyspace ks, long now) {
        List<AofSnapshot.Item> items = new ArrayList<>();
        for (Database d : ks.databases) {
            for (Database.Entry e : d.all(now)) {
                items.add(new AofSnapshot.Item(d.index, e.key.bytes, e.value, e.expireAt));
            }
        }
        return items;
    }

    /** {@code ks}'s live keys as text. */
    static Map<String, String> of(Keyspace ks, long now) {
        return of(items(ks, now));
    }

    /** The items as text, such as "0/k" to "SET k v ; PEXPIREAT k 123 ;"; a key given twice fails. */
    static Map<String, String> of(List<AofSnapshot.Item> items) {
        Map<String, String> out = new TreeMap<>();
        for (AofSnapshot.Item item : items) {
            StringBuilder text = new StringBuilder();
            for (byte[][] command : item.commands()) {
                for (byte[] word : command) {
                    text.append(new String(word, StandardCharsets.ISO_8859_1)).append(' ');
                }
                text.append("; ");
            }
            String name = item.db() + "/" + new String(item.key(), StandardCharsets.ISO_8859_1);
            assertNull(out.put(name, text.toString().strip()), name + " given twice");
        }
        return out;
    }
}
