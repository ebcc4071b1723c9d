package io.ipc4j.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * RDB snapshots in this JVM: a file redis-server 7.0.15 wrote (every encoding it uses: integer and LZF strings,
 * quicklists of listpacks, intsets of 16 and 64 bits, listpack and table hashes, sets and sorted sets, an
 * expiry, two databases) loads with the right contents; what ipc4j-kv writes loads back the same; and damaged
 * files (cut off anywhere, bytes changed anywhere) are refused with one clear error, never another exception.
 * With redis-server itself, across processes, in RdbPeerTest.
 */
class RdbTest {
    private static final long NOW = 1_796_200_000_000L; // 2026-12-02
    @TempDir
    Path dir;

    @Test
    void aFileRedisWroteLoadsWithEveryValue() throws IOException {
        Keyspace ks = load(fixture(), NOW);
        Map<String, String> data = KeyspaceText.of(ks, NOW);
        assertEquals(20, data.size(), data.keySet().toString());
        assertEquals("SET str hello ;", data.get("0/str"));
        assertEquals("SET int8 12 ;", data.get("0/int8"));
        assertEquals("SET int16 12345 ;", data.get("0/int16"));
        assertEquals("SET int32 1234567890 ;", data.get("0/int32"));
        assertEquals("SET int64 12345678901234 ;", data.get("0/int64"));
        assertEquals("SET neg -5 ;", data.get("0/neg"));
        assertEquals("SET lzf " + "ab".repeat(500) + " ;", data.get("0/lzf"));
        assertEquals("RPUSH list:small a b 3 -7 70000 -70000 1099511627776 " + "x".repeat(100) + " ;",
                data.get("0/list:small"));
        assertEquals(1000, ((ListValue) ks.databases[0].lookup(key("list:big"), NOW).value).size());
        assertEquals("e999", new String(((ListValue) ks.databases[0].lookup(key("list:big"), NOW).value).get(999),
                StandardCharsets.US_ASCII));
        assertEquals("HSET hash:small f v n 12 ;", data.get("0/hash:small"));
        assertEquals(200, ((HashValue) ks.databases[0].lookup(key("hash:big"), NOW).value).size());
        assertEquals("SADD set:intset 1 2 3 ;", data.get("0/set:intset"));
        assertEquals("SADD set:int64 -9000000000000000000 5 9000000000000000000 ;", data.get("0/set:int64"));
        assertEquals(600, ((SetValue) ks.databases[0].lookup(key("set:big"), NOW).value).size());
        assertEquals("ZADD zset:small -inf low 1.5 m 3.0 n inf high ;", data.get("0/zset:small"));
        assertEquals(200, ((SortedSetValue) ks.databases[0].lookup(key("zset:big"), NOW).value).size());
        assertEquals("SET expiring x ; PEXPIREAT expiring 4102444800000 ;", data.get("0/expiring"));
        assertEquals("SET db5 here ;", data.get("5/db5"));
    }

    @Test
    void keysExpiredByTheTimeOfTheLoadAreLeftOut() throws IOException {
        Keyspace ks = new Keyspace(16);
        RdbLoader.Result r = RdbLoader.load(fixture(), ks, 4_102_444_800_001L);
        assertEquals(1, r.expired());
        assertEquals(19, r.keys());
        assertEquals(null, ks.databases[0].lookup(key("expiring"), NOW));
    }

    @Test
    void whatIpc4jWritesLoadsBackTheSame() throws IOException {
        Keyspace original = load(fixture(), NOW);
        Path written = dir.resolve("written.rdb");
        Files.write(written, RdbWriter.of(KeyspaceText.items(original, NOW)));
        assertEquals(KeyspaceText.of(original, NOW), KeyspaceText.of(load(written, NOW), NOW));
    }

    @Test
    void theChecksumIsRedisS() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
    }

    /** Cut off after any byte: refused with the file, the offset and the way out, never another exception. */
    @Test
    void aFileCutOffAnywhereIsRefusedClearly() throws IOException {
        byte[] whole = Files.readAllBytes(fixture());
        Path cut = dir.resolve("cut.rdb");
        for (int n = 0; n < whole.length; n++) {
            Files.write(cut, java.util.Arrays.copyOf(whole, n));
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> load(cut, NOW), "cut at " + n);
            assertTrue(e.getMessage().startsWith("the RDB file " + cut + " cannot be loaded at byte ")
                    && e.getMessage().endsWith("or move it away to start with no data"), e.getMessage());
        }
    }

    /**
     * Bytes changed anywhere: with the checksum on, every change is refused; with it off (0, as Redis's
     * rdbchecksum no writes), the parser meets the damage itself: 3,000 random changes each load or are
     * refused as damaged, never anything else (no other exception, no huge allocation, no hang).
     */
    @Test
    void changedBytesAreRefusedOrLoadedNeverAnythingElse() throws IOException {
        byte[] whole = Files.readAllBytes(fixture());
        Path damaged = dir.resolve("damaged.rdb");
        Random random = new Random(20261202);
        for (int i = 0; i < 200; i++) {
            byte[] b = whole.clone();
            b[9 + random.nextInt(b.length - 17)] ^= (byte) (1 + random.nextInt(255));
            Files.write(damaged, b);
            assertThrows(CorruptLogException.class, () -> load(damaged, NOW), "change " + i);
        }
        int loaded = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = whole.clone();
            java.util.Arrays.fill(b, b.length - 8, b.length, (byte) 0);
            for (int k = 0, changes = 1 + random.nextInt(3); k < changes; k++) {
                b[random.nextInt(b.length - 8)] = (byte) random.nextInt(256);
            }
            Files.write(damaged, b);
            try {
                load(damaged, NOW);
                loaded++;
            } catch (CorruptLogException e) {
                assertTrue(e.getMessage().contains("cannot be loaded at byte"), e.getMessage());
            } catch (RuntimeException | OutOfMemoryError e) {
                fail("change " + i + " threw " + e, e);
            }
        }
        assertTrue(loaded > 0 && loaded < 3000, "some changes hit only values' bytes: " + loaded);
    }

    private static Keyspace load(Path file, long now) throws IOException {
        Keyspace ks = new Keyspace(16);
        RdbLoader.load(file, ks, now);
        return ks;
    }

    private static Path fixture() {
        try {
            return Path.of(RdbTest.class.getResource("/rdb/redis-7.0.15.rdb").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static Key key(String s) {
        return new Key(s.getBytes(StandardCharsets.US_ASCII));
    }
}
