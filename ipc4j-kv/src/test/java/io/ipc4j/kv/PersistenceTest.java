package io.ipc4j.kv;

import io.ipc4j.pipe.Fifo;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The append-only file across real process deaths: kill -9, damaged files, rewrites, and Redis's own tools. */
class PersistenceTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private ChildJvm.Running server;
    private Path socket;
    private Path dir;

    private void start(String fsync) throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        dir = LEAKS.scratch().resolve("data");
        Files.createDirectories(dir);
        server = KvServerTest.startServer(socket, "--appendonly", dir.toString(), fsync);
    }

    private void restart(String fsync) throws Exception {
        server.close();
        server = KvServerTest.startServer(socket, "--appendonly", dir.toString(), fsync);
    }

    private Path log() {
        return dir.resolve("appendonly.aof");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null && server.process().isAlive()) {
            try (Resp r = new Resp(socket)) {
                r.send(Resp.command("SHUTDOWN"));
                assertTrue(r.closedByServer());
            }
            assertEquals(0, server.finish(KvServerTest.LIMIT).status().code());
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            deleteTree(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "everysec"})
    void killNineUnderAPipelinedWriteLoadLosesNoAcknowledgedWrite(String fsync) throws Exception {
        // Every write is handed to the kernel before its reply leaves, so a killed server loses nothing that
        // was acknowledged, whatever appendfsync says (everysec's one second is what a power cut can cost)
        start(fsync);
        AtomicLong acknowledged = new AtomicLong();
        try (Resp writer = new Resp(socket)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        String reply = writer.reply();
                        if (!reply.equals("+OK")) {
                            throw new AssertionError("SET answered " + reply);
                        }
                        acknowledged.incrementAndGet();
                    }
                } catch (IOException closedByTheKill) {
                    // the server died
                }
            });
            int sent = 0;
            try {
                while (acknowledged.get() < 20_000) {
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int i = 0; i < 100; i++, sent++) {
                        batch.writeBytes(Resp.command("SET", "k:" + sent, "v" + sent));
                    }
                    writer.send(batch.toByteArray());
                }
                assertTrue(server.process().kill(), "kill -9 reached the server");
                reader.join(10_000);
            } catch (IOException alreadyDead) {
                // the kill raced a send
            }
            assertFalse(reader.isAlive(), "the reader sees the connection end");
        }
        assertEquals(9, server.finish(KvServerTest.LIMIT).status().signal(), "killed by SIGKILL");
        long acked = acknowledged.get();
        restart(fsync);
        try (Resp r = new Resp(socket)) {
            for (long i = 0; i < acked; i += 997) {
                assertEquals("v" + i, r.call("GET", "k:" + i), "acknowledged write " + i + " of " + acked);
            }
            assertEquals("v" + (acked - 1), r.call("GET", "k:" + (acked - 1)), "the last acknowledged write");
            long kept = Long.parseLong(r.call("DBSIZE").substring(1));
            assertTrue(kept >= acked, kept + " keys after the restart, " + acked + " writes were acknowledged");
        }
    }

    @Test
    void aLogDamagedInTheMiddleStopsTheStartNamingTheOffsetAndTheRepair() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        dir = LEAKS.scratch().resolve("data");
        Files.createDirectories(dir);
        byte[] good = Resp.command("SET", "a", "1");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(good);
        file.writeBytes("*2\r\n$3\r\nGET\r\nxx\r\n".getBytes(StandardCharsets.US_ASCII)); // '$' missing
        file.writeBytes(good);
        Files.write(log(), file.toByteArray());
        ChildJvm.Result result = ChildJvm.of(KvChild.class, socket.toString(), "--appendonly", dir.toString(),
                "everysec").run(KvServerTest.LIMIT);
        assertEquals(1, result.status().code(), result.describe());
        assertTrue(result.stderr().contains("Bad file format reading the append only file " + log() + " at offset "
                + good.length + ": Protocol error: expected '$', got 'x'"), result.describe());
        assertTrue(result.stderr().contains("redis-check-aof --fix " + log()), result.describe());
        assertFalse(Files.exists(socket), "no socket file is left behind");
        assertEquals(file.size(), Files.size(log()), "the damaged file is left for the user to repair");
    }

    @Test
    void aCutOffLastCommandAndAnOpenMultiAreRemovedAndReported() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        dir = LEAKS.scratch().resolve("data");
        Files.createDirectories(dir);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(Resp.command("SET", "a", "1"));
        file.writeBytes(Resp.command("RPUSH", "l", "x", "y"));
        int whole = file.size();
        file.writeBytes(Resp.command("MULTI"));
        file.writeBytes(Resp.command("INCR", "n"));
        file.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nb".getBytes(StandardCharsets.US_ASCII));
        Files.write(log(), file.toByteArray());
        server = KvServerTest.startServer(socket, "--appendonly", dir.toString(), "always");
        try (Resp r = new Resp(socket)) {
            assertEquals("1", r.call("GET", "a"));
            assertEquals("[x, y]", r.call("LRANGE", "l", "0", "-1"));
            assertEquals("(nil)", r.call("GET", "n"), "the unfinished transaction is not applied");
            assertEquals("+OK", r.call("SET", "after", "restart"));
        }
        assertTrue(Files.size(log()) > whole);
        restart("always");
        try (Resp r = new Resp(socket)) {
            assertEquals("restart", r.call("GET", "after"), "written after the cut, and loaded");
        }
        server.process().terminate();
        String stderr = server.finish(KvServerTest.LIMIT).stderr();
        assertFalse(stderr.contains("ended in the middle"), "the repaired file loads clean: " + stderr);
        server.close();
        server = null;
        // the first start reported the cut
        Files.write(log(), file.toByteArray());
        server = KvServerTest.startServer(socket, "--appendonly", dir.toString(), "always");
        server.process().terminate();
        ChildJvm.Result first = server.finish(KvServerTest.LIMIT);
        assertTrue(first.stderr().contains("ended in the middle of a MULTI/EXEC transaction (the server stopped while"
                + " writing it): removed its last " + (file.size() - whole) + " bytes, from offset " + whole),
                first.describe());
        assertEquals(whole, Files.size(log()));
    }

    @Test
    void bgrewriteaofUnderWritesKeepsEveryKeyAndRedisToolsReadTheFile() throws Exception {
        start("everysec");
        try (Resp r = new Resp(socket); Resp busy = new Resp(socket)) {
            fill(r);
            for (int i = 0; i < 300; i++) {
                r.call("INCR", "counter");
                r.call("RPUSH", "list", "again" + i);
            }
            long before = Files.size(log());
            assertEquals("+Background append only file rewriting started", r.call("BGREWRITEAOF"));
            int writes = 0;
            while (!r.call("INFO", "persistence").contains("aof_rewrite_in_progress:0") || writes < 50) {
                busy.call("INCR", "during");
                busy.call("HSET", "hash", "f" + writes, "w");
                writes++;
            }
            assertTrue(r.call("INFO", "persistence").contains("aof_last_bgrewrite_status:ok"));
            Map<String, String> expected = dump(r);
            assertTrue(Files.size(log()) < before, "the rewrite compacts: " + Files.size(log()) + " < " + before);
            shutDownAndRestartWith(r, "everysec", expected);
        }
    }

    /**
     * BGREWRITEAOF writes the data as it was when it began while the server goes on serving and changing it.
     * The rewrite is held after its first key (rdb-key-save-delay, a minute a key, as Redis's own tests hold a
     * save), every kind of change is made to that key and to keys it has not reached, each the first change to
     * its key, then it is let go: the server restarted from the file, and redis-server, hold exactly what the
     * server held.
     */
    @Test
    void aRewriteHeldInTheMiddleKeepsWhatChangesMeanwhile() throws Exception {
        start("always");
        try (Resp r = new Resp(socket)) {
            fill(r); // "string" is the first key made, so the first walked
            assertEquals("+OK", r.call("SET", "counter", "10"));
            for (String list : List.of("lpush", "rpush", "lpop", "rpop", "lset", "linsert", "lrem", "ltrim")) {
                assertEquals(":4", r.call("RPUSH", list, "a", "b", "c", "d"));
            }
            for (String hash : List.of("hnew", "hsame", "hdel")) {
                assertEquals(":2", r.call("HSET", hash, "f", "v", "g", "w"));
            }
            for (String set : List.of("sadd", "srem")) {
                assertEquals(":3", r.call("SADD", set, "x", "y", "z"));
            }
            for (String zset : List.of("znew", "zscore", "zrem", "zincr")) {
                assertEquals(":2", r.call("ZADD", zset, "1", "m", "2", "n"));
            }
            assertEquals(":1", r.call("HSET", "hincr", "n", "1"));
            assertEquals("+OK", r.call("SELECT", "7"));
            assertEquals("+OK", r.call("SET", "flushed", "soon"));
            assertEquals("+OK", r.call("SELECT", "0"));
            assertEquals("+OK", r.call("CONFIG", "SET", "rdb-key-save-delay", "60000000"));
            assertEquals("+Background append only file rewriting started", r.call("BGREWRITEAOF"));
            awaitPersistence(r, "current_save_keys_processed:1\r\n");

            assertEquals("+OK", r.call("SET", "string", "walked, then changed"));
            assertEquals(":11", r.call("INCR", "counter"));
            assertEquals(":5", r.call("LPUSH", "lpush", "new"));
            assertEquals(":5", r.call("RPUSH", "rpush", "new"));
            assertEquals("a", r.call("LPOP", "lpop"));
            assertEquals("d", r.call("RPOP", "rpop"));
            assertEquals("+OK", r.call("LSET", "lset", "1", "new"));
            assertEquals(":5", r.call("LINSERT", "linsert", "AFTER", "b", "new"));
            assertEquals(":1", r.call("LREM", "lrem", "0", "b"));
            assertEquals("+OK", r.call("LTRIM", "ltrim", "1", "2"));
            assertEquals(":1", r.call("HSET", "hnew", "h", "new"));
            assertEquals(":0", r.call("HSET", "hsame", "f", "new"));
            assertEquals(":1", r.call("HDEL", "hdel", "f"));
            assertEquals(":2", r.call("HINCRBY", "hincr", "n", "1"));
            assertEquals(":1", r.call("SADD", "sadd", "new"));
            assertEquals(":1", r.call("SREM", "srem", "x"));
            assertEquals(":1", r.call("ZADD", "znew", "3", "new"));
            assertEquals(":0", r.call("ZADD", "zscore", "5", "m"));
            assertEquals(":1", r.call("ZREM", "zrem", "m"));
            assertEquals("3", r.call("ZINCRBY", "zincr", "2", "m"));
            assertEquals("+OK", r.call("RENAME", "hash", "renamed"));
            assertEquals(":1", r.call("EXPIRE", "set", "100000"));
            assertEquals(":1", r.call("PERSIST", "expiring"));
            assertEquals(":1", r.call("DEL", "list"));
            assertEquals("+OK", r.call("SET", "made", "after the start"));
            assertEquals("+OK", r.call("SELECT", "5"));
            assertEquals(":11", r.call("APPEND", "elsewhere", "+changed"));
            assertEquals("+OK", r.call("SELECT", "7"));
            assertEquals("+OK", r.call("FLUSHDB"));
            assertEquals("+OK", r.call("SELECT", "0"));
            String info = r.call("INFO", "persistence");
            assertTrue(info.contains("aof_rewrite_in_progress:1\r\n") && info.contains("current_save_keys_processed:1\r\n")
                    && !info.contains("current_cow_size:0\r\n"), "held after one key, with copies made: " + info);

            assertEquals("+OK", r.call("CONFIG", "SET", "rdb-key-save-delay", "0"));
            awaitPersistence(r, "aof_rewrite_in_progress:0\r\n");
            assertTrue(r.call("INFO", "persistence").contains("aof_last_bgrewrite_status:ok"));
            Map<String, String> expected = dump(r);
            shutDownAndRestartWith(r, "always", expected);
        }
    }

    /**
     * Stops the server with SHUTDOWN, starts it again from its file, and checks it holds {@code expected}, as
     * redis-server does from the same file.
     */
    private void shutDownAndRestartWith(Resp r, String fsync, Map<String, String> expected) throws Exception {
        r.send(Resp.command("SHUTDOWN"));
        assertTrue(r.closedByServer());
        assertEquals(0, server.finish(KvServerTest.LIMIT).status().code());
        restart(fsync);
        try (Resp again = new Resp(socket)) {
            assertEquals(expected, dump(again));
        }
        checkWithRedisTools(expected);
    }

    /** Waits (at most 60 s) until INFO persistence contains {@code field}. */
    static void awaitPersistence(Resp r, String field) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String info;
        while (!(info = r.call("INFO", "persistence")).contains(field)) {
            assertTrue(System.nanoTime() < deadline, "no " + field.strip() + " within 60 s: " + info);
            Thread.sleep(5);
        }
    }

    /**
     * A server stopped (TERM) while BGREWRITEAOF is writing removes the rewrite's temporary file and keeps its
     * log. The rewrite is held in the middle for sure: its temporary file is a FIFO no one reads, so its thread
     * blocks opening it.
     */
    @Test
    void aServerStoppedInTheMiddleOfARewriteLeavesOnlyItsLog() throws Exception {
        start("always");
        Path temporary = dir.resolve("temp-rewriteaof-" + server.pid() + ".aof");
        Fifo.create(temporary); // removed by the server, or by stop() if the test fails
        try (Resp r = new Resp(socket)) {
            fill(r);
            Map<String, String> expected = dump(r);
            assertEquals("+Background append only file rewriting started", r.call("BGREWRITEAOF"));
            assertTrue(r.call("INFO", "persistence").contains("aof_rewrite_in_progress:1"));
            server.process().terminate();
            ChildJvm.Result result = server.finish(KvServerTest.LIMIT);
            assertEquals(143, result.status().code(), "stopped by TERM, cleanly: " + result.describe());
            assertEquals(List.of("appendonly.aof"), fileNames(dir), "the rewrite's temporary file is removed");
            restart("always");
            try (Resp again = new Resp(socket)) {
                assertEquals(expected, dump(again));
            }
        }
    }

    /** A rewrite's temporary file left by a server killed in the middle is removed at the next start, and said. */
    @Test
    void aRewriteLeftByAKilledServerIsRemovedAtTheNextStart() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        dir = LEAKS.scratch().resolve("data");
        Files.createDirectories(dir);
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        Path left = dir.resolve("temp-rewriteaof-" + gone.pid() + ".aof");
        Path live = dir.resolve("temp-rewriteaof-1.aof"); // init's: a live process, left alone
        Path redis = dir.resolve("temp-rewriteaof-bg-" + gone.pid() + ".aof"); // Redis's name: not ours
        for (Path p : List.of(left, live, redis)) {
            Files.writeString(p, "*1\r\n$4\r\nPING\r\n");
        }
        server = KvServerTest.startServer(socket, "--appendonly", dir.toString(), "always");
        assertEquals(List.of("appendonly.aof", "temp-rewriteaof-1.aof", "temp-rewriteaof-bg-" + gone.pid() + ".aof"),
                fileNames(dir));
        server.process().terminate();
        ChildJvm.Result result = server.finish(KvServerTest.LIMIT);
        assertTrue(result.stderr().contains("removed " + left + ": a BGREWRITEAOF of process " + gone.pid()
                + ", which is gone, left it; the append-only file itself is whole"), result.describe());
        server.close();
        server = null;
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** redis-check-aof accepts the file and redis-server loads the same data from it, when they are installed. */
    private void checkWithRedisTools(Map<String, String> expected) throws Exception {
        String check = DifferentialTest.onPath("redis-check-aof");
        String redis = DifferentialTest.onPath("redis-server");
        assumeTrue(check != null && redis != null, "redis-tools and redis-server are not installed: the check of"
                + " the file with Redis's own tools is skipped");
        String verdict = KvServerTest.run(List.of(check, log().toString()), null);
        assertTrue(verdict.contains("is valid"), verdict);
        Path copy = dir.resolve("redis");
        Files.createDirectories(copy);
        Files.copy(log(), copy.resolve("appendonly.aof"));
        assertEquals(expected, loadedByRedis(copy, true));
    }

    /**
     * What redis-server holds after starting in {@code data} (from its appendonly.aof, or else its dump.rdb),
     * by {@link #dump}; the server is stopped without saving and {@code data} is removed.
     */
    static Map<String, String> loadedByRedis(Path data, boolean appendOnly) throws Exception {
        Process p = startRedis(data, appendOnly);
        try {
            try (Resp r = new Resp(data.resolve("r.sock"))) {
                awaitLoaded(r);
                Map<String, String> held = dump(r);
                r.send(Resp.command("SHUTDOWN", "NOSAVE"));
                r.closedByServer();
                p.waitFor();
                return held;
            }
        } finally {
            p.destroyForcibly();
            deleteTree(data);
        }
    }

    /**
     * Waits (at most 30 s) until redis-server has loaded its files: it opens its socket first, and answers
     * -LOADING meanwhile.
     */
    static void awaitLoaded(Resp r) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String answer;
        while (!(answer = r.call("PING")).equals("+PONG")) {
            assertTrue(answer.startsWith("-LOADING") && System.nanoTime() < deadline, answer);
            Thread.sleep(20);
        }
    }

    /** Deletes {@code root} and everything in it (a test's data directory). */
    static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /**
     * redis-server on {@code data/r.sock}, started in {@code data} (its files there, its output in data/log),
     * once its socket is there (at most 30 s).
     */
    static Process startRedis(Path data, boolean appendOnly) throws Exception {
        Path redisSocket = data.resolve("r.sock");
        Process p = new ProcessBuilder(DifferentialTest.onPath("redis-server"), "--port", "0", "--unixsocket",
                redisSocket.toString(), "--appendonly", appendOnly ? "yes" : "no", "--save", "", "--dir",
                data.toString()).redirectErrorStream(true).redirectOutput(data.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(redisSocket)) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroyForcibly();
                throw new AssertionError("redis-server did not start: " + Files.readString(data.resolve("log")));
            }
            Thread.sleep(20);
        }
        return p;
    }

    static void fill(Resp r) throws IOException {
        assertEquals("+OK", r.call("SET", "string", "text"));
        assertEquals("+OK", r.call("SET", "expiring", "soon", "EX", "1000"));
        assertEquals(":3", r.call("RPUSH", "list", "a", "b", "c"));
        assertEquals(":2", r.call("HSET", "hash", "f", "v", "g", "w"));
        assertEquals(":3", r.call("SADD", "set", "x", "y", "z"));
        assertEquals(":3", r.call("ZADD", "zset", "1.5", "m", "-inf", "low", "0.1", "tenth"));
        assertEquals("+OK", r.call("SELECT", "5"));
        assertEquals("+OK", r.call("SET", "elsewhere", "db5"));
        assertEquals("+OK", r.call("SELECT", "0"));
        for (int i = 0; i < 200; i++) {
            assertEquals(":1", r.call("SADD", "big", "member" + i));
        }
    }

    /** Every key of databases 0, 5 and 7 with its type, content (in order where it has one) and whether it expires. */
    static Map<String, String> dump(Resp r) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String db : List.of("0", "5", "7")) {
            assertEquals("+OK", r.call("SELECT", db));
            String keys = r.call("KEYS", "*");
            for (String key : keys.substring(1, keys.length() - 1).split(", ")) {
                if (key.isEmpty()) {
                    continue;
                }
                String type = r.call("TYPE", key);
                String content = switch (type) {
                    case "+string" -> r.call("GET", key);
                    case "+list" -> r.call("LRANGE", key, "0", "-1");
                    case "+hash" -> sorted(r.call("HGETALL", key));
                    case "+set" -> sorted(r.call("SMEMBERS", key));
                    case "+zset" -> r.call("ZRANGE", key, "0", "-1", "WITHSCORES");
                    default -> throw new AssertionError(type);
                };
                boolean expires = !r.call("TTL", key).equals(":-1");
                out.put(db + "/" + key, type + " " + content + (expires ? " (expires)" : ""));
            }
        }
        assertEquals("+OK", r.call("SELECT", "0"));
        assertNotEquals(0, out.size());
        return out;
    }

    private static String sorted(String array) {
        List<String> items = new ArrayList<>(List.of(array.substring(1, array.length() - 1).split(", ")));
        items.sort(null);
        return items.toString();
    }
}
