package io.ipc4j.kv;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxmemory with each policy the issue names, set at run time with CONFIG SET, in a child JVM. */
class EvictionTest extends ServerPerTest {
    private static final String LIMIT = String.valueOf(2 << 20);
    private static final String VALUE = "v".repeat(200);

    @Test
    void noevictionRefusesWritesWithOomAndKeepsEveryKey() throws Exception {
        try (Resp r = new Resp(socket)) {
            assertEquals("+OK", r.call("CONFIG", "SET", "maxmemory", LIMIT, "maxmemory-policy", "noeviction"));
            int written = 0;
            String reply;
            while ((reply = r.call("SET", "k" + written, VALUE)).equals("+OK")) {
                written++;
            }
            assertEquals("-OOM command not allowed when used memory > 'maxmemory'.", reply);
            assertEquals("(nil)", r.call("GET", "k" + written), "the refused write is not there");
            assertEquals(":" + written, r.call("DBSIZE"));
            assertTrue(r.call("INFO", "stats").contains("evicted_keys:0\r\n"));
            assertEquals(":1", r.call("DEL", "k0"), "deleting is allowed when full");
            assertEquals("+OK", r.call("SET", "k0", "x"), "and makes room");
        }
    }

    @Test
    void allkeysLruEvictsColdKeysAndKeepsTheOnesInUse() throws Exception {
        try (Resp r = new Resp(socket)) {
            assertEquals("+OK", r.call("CONFIG", "SET", "maxmemory", LIMIT, "maxmemory-policy", "allkeys-lru"));
            for (int i = 0; i < 500; i++) {
                assertEquals("+OK", r.call("SET", "hot" + i, VALUE));
            }
            for (int i = 0; i < 12_000; i++) {
                assertEquals("+OK", r.call("SET", "cold" + i, VALUE), "never OOM with an eviction policy");
                if (i % 10 == 0) {
                    for (int h = 0; h < 500; h += 10) {
                        r.call("GET", "hot" + (h + i / 10 % 10));
                    }
                }
            }
            int hot = 0;
            for (int i = 0; i < 500; i++) {
                if (!r.call("GET", "hot" + i).equals("(nil)")) {
                    hot++;
                }
            }
            String stats = r.call("INFO", "stats");
            long evicted = field(stats, "evicted_keys");
            long used = field(r.call("INFO", "memory"), "used_memory");
            assertTrue(evicted > 7_000, "cold keys were evicted: " + evicted);
            // eviction runs before each write, as in Redis: the last write may pass the limit by its own size
            assertTrue(used <= Long.parseLong(LIMIT) + 1024, "used_memory " + used + " within maxmemory");
            assertTrue(hot >= 475, "the keys in use stay: " + hot + " of 500 hot keys left, " + evicted + " evicted");
        }
    }

    @Test
    void volatileTtlEvictsTheSoonestToExpireAndNeverAKeyWithoutOne() throws Exception {
        try (Resp r = new Resp(socket)) {
            assertEquals("+OK", r.call("CONFIG", "SET", "maxmemory", LIMIT, "maxmemory-policy", "volatile-ttl"));
            for (int i = 0; i < 1000; i++) {
                assertEquals("+OK", r.call("SET", "keep" + i, VALUE));
            }
            int volatileKeys = 0;
            String reply;
            while ((reply = r.call("SET", "ttl" + volatileKeys, VALUE, "EX", String.valueOf(100_000 - volatileKeys)))
                    .equals("+OK") && volatileKeys < 20_000) {
                volatileKeys++;
            }
            assertEquals("+OK", reply, "volatile keys make room for each other");
            for (int i = 0; i < 1000; i++) {
                assertEquals(VALUE, r.call("GET", "keep" + i), "a key without a TTL is never evicted");
            }
            // the later keys expire sooner: the evicted ones are the latest written, the survivors a prefix
            int survivors = 0;
            while (!r.call("GET", "ttl" + survivors).equals("(nil)")) {
                survivors++;
            }
            for (int i = survivors; i < volatileKeys; i++) {
                assertEquals("(nil)", r.call("GET", "ttl" + i), "evicted in TTL order: ttl" + i + " is still there"
                        + " though ttl" + survivors + " (a longer TTL) was evicted");
            }
            assertTrue(survivors > 100 && survivors < volatileKeys, survivors + " of " + volatileKeys + " kept");
            // with no volatile key left, writes get OOM
            assertEquals("+OK", r.call("CONFIG", "SET", "maxmemory", "1"));
            String full = r.call("SET", "more", VALUE);
            assertEquals("-OOM command not allowed when used memory > 'maxmemory'.", full);
        }
    }

    private static long field(String info, String name) throws IOException {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new IOException(name + " missing from " + info);
    }
}
