package io.ipc4j.kv;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * used_memory and MEMORY USAGE are estimates of the heap the data takes: filled with one type at a time, the
 * estimate is within 20% of what the heap grew by (measured after full collections, in this JVM).
 */
class MemoryEstimateTest {
    @ParameterizedTest
    @ValueSource(strings = {"string", "list", "hash", "set", "zset"})
    void theEstimateIsCloseToTheHeapTheDataTakes(String type) {
        Keyspace keyspace = new Keyspace(1);
        Database db = keyspace.databases[0];
        long before = heapAfterGc();
        for (int k = 0; k < 20_000; k++) {
            Key key = new Key(("key:" + k).getBytes(StandardCharsets.US_ASCII));
            db.put(key, value(type, k), false, 0);
        }
        long grown = heapAfterGc() - before;
        double ratio = (double) keyspace.usedMemory / grown;
        System.out.printf("%s: estimate %,d, heap grew %,d, ratio %.2f%n", type, keyspace.usedMemory, grown, ratio);
        assertTrue(ratio > 0.8 && ratio < 1.2, type + ": estimated " + keyspace.usedMemory + " bytes, the heap grew"
                + " by " + grown + " (ratio " + ratio + ")");
        assertTrue(db.size() == 20_000); // keeps the data reachable until the second measurement
    }

    private static Object value(String type, int k) {
        switch (type) {
            case "string" -> {
                return ("value-" + k + "-" + "x".repeat(k % 100)).getBytes(StandardCharsets.US_ASCII);
            }
            case "list" -> {
                ListValue l = new ListValue();
                for (int i = 0; i < 20; i++) {
                    l.addLast(("element-" + i).getBytes(StandardCharsets.US_ASCII));
                }
                return l;
            }
            case "hash" -> {
                HashValue h = new HashValue();
                for (int i = 0; i < 20; i++) {
                    h.put(new Key(("field-" + i).getBytes(StandardCharsets.US_ASCII)),
                            ("value-" + k).getBytes(StandardCharsets.US_ASCII));
                }
                return h;
            }
            case "set" -> {
                SetValue s = new SetValue();
                for (int i = 0; i < 20; i++) {
                    s.add(new Key(("member-" + i).getBytes(StandardCharsets.US_ASCII)));
                }
                return s;
            }
            default -> {
                SortedSetValue z = new SortedSetValue();
                for (int i = 0; i < 20; i++) {
                    z.put(new Key(("member-" + i).getBytes(StandardCharsets.US_ASCII)), i * 1.5);
                }
                return z;
            }
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
