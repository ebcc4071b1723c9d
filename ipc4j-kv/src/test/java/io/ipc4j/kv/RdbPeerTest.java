package io.ipc4j.kv;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RDB snapshots between ipc4j-kv and redis-server, each in a process of its own: redis-server loads what
 * ipc4j-kv's SAVE and BGSAVE write, ipc4j-kv loads what redis-server's SAVE writes, with the same data either
 * way; a damaged snapshot stops ipc4j-kv's start with the reason.
 */
class RdbPeerTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private ChildJvm.Running server;
    private Path socket;
    private Path dir;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            KvServerTest.shutdown(socket, server);
        }
        if (dir != null) {
            PersistenceTest.deleteTree(dir);
        }
    }

    private Path start() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        server = KvServerTest.startServer(socket, "--dir", dir.toString());
        return socket;
    }

    @Test
    void redisServerLoadsWhatSaveAndBgsaveWrite() throws Exception {
        assumeTrue(DifferentialTest.onPath("redis-server") != null, "redis-server is not installed");
        dir = Files.createDirectories(LEAKS.scratch().resolve("kv"));
        try (Resp r = new Resp(start())) {
            fillMore(r);
            for (String save : List.of("SAVE", "BGSAVE")) {
                assertEquals(save.equals("SAVE") ? "+OK" : "+Background saving started", r.call(save));
                PersistenceTest.awaitPersistence(r, "rdb_bgsave_in_progress:0\r\n");
                assertTrue(r.call("INFO", "persistence").contains("rdb_last_bgsave_status:ok"));
                Map<String, String> expected = PersistenceTest.dump(r);
                Path copy = Files.createDirectories(LEAKS.scratch().resolve("redis-" + save));
                Files.move(dir.resolve("dump.rdb"), copy.resolve("dump.rdb"));
                assertEquals(expected, PersistenceTest.loadedByRedis(copy, false), save);
                assertEquals(":1", r.call("INCR", "changed after " + save));
            }
        }
    }

    @Test
    void ipc4jKvLoadsWhatRedisServerSaves() throws Exception {
        assumeTrue(DifferentialTest.onPath("redis-server") != null, "redis-server is not installed");
        dir = Files.createDirectories(LEAKS.scratch().resolve("redis"));
        Path redisSocket = dir.resolve("r.sock");
        Process redis = PersistenceTest.startRedis(dir, false);
        Map<String, String> expected;
        try {
            try (Resp r = new Resp(redisSocket)) {
                fillMore(r);
                expected = PersistenceTest.dump(r);
                assertEquals("+OK", r.call("SAVE"));
                r.send(Resp.command("SHUTDOWN", "NOSAVE"));
                r.closedByServer();
            }
            redis.waitFor();
        } finally {
            redis.destroyForcibly();
        }
        try (Resp r = new Resp(start())) {
            assertEquals(expected, PersistenceTest.dump(r));
        }
    }

    @Test
    void aDamagedSnapshotStopsTheStartSayingWhereAndWhatToDo() throws Exception {
        dir = Files.createDirectories(LEAKS.scratch().resolve("damaged"));
        Path rdb = dir.resolve("dump.rdb");
        Files.write(rdb, "REDIS0010\u0000\u0005hello\u0005wor".getBytes(StandardCharsets.ISO_8859_1));
        socket = LEAKS.scratch().resolve("kv.sock");
        ChildJvm.Result result = ChildJvm.of(KvChild.class, socket.toString(), "--dir", dir.toString())
                .run(KvServerTest.LIMIT);
        assertEquals(1, result.status().code(), result.describe());
        assertTrue(result.stderr().contains("the RDB file " + rdb + " cannot be loaded at byte 17: a string of 5"
                + " bytes, with 3 left. Check it with redis-check-rdb " + rdb), result.describe());
        assertFalse(Files.exists(socket), "no socket file is left behind");
    }

    /** SHUTDOWN SAVE writes the snapshot the next start loads; LASTSAVE and INFO say when. */
    @Test
    void shutdownSaveKeepsTheDataForTheNextStart() throws Exception {
        dir = Files.createDirectories(LEAKS.scratch().resolve("shutdown"));
        try (Resp r = new Resp(start())) {
            assertEquals("+OK", r.call("SET", "kept", "across a restart"));
            assertTrue(r.call("INFO", "persistence").contains("rdb_changes_since_last_save:1\r\n"));
            r.send(Resp.command("SHUTDOWN", "SAVE"));
            assertTrue(r.closedByServer());
        }
        assertEquals(0, server.finish(KvServerTest.LIMIT).status().code());
        server.close();
        try (Resp r = new Resp(start())) {
            assertEquals("across a restart", r.call("GET", "kept"));
            assertTrue(r.call("INFO", "persistence").contains("rdb_changes_since_last_save:0\r\n"));
        }
    }

    /**
     * A server stopped (TERM) during a BGSAVE removes the temporary file and leaves no snapshot. The save is held
     * for sure: its temporary file is a FIFO no one reads, so its thread blocks opening it.
     */
    @Test
    void aServerStoppedDuringBgsaveLeavesNothing() throws Exception {
        dir = Files.createDirectories(LEAKS.scratch().resolve("stopped"));
        try (Resp r = new Resp(start())) {
            PersistenceTest.fill(r);
            io.ipc4j.pipe.Fifo.create(dir.resolve("temp-" + server.pid() + ".rdb"));
            assertEquals("+Background saving started", r.call("BGSAVE"));
            assertTrue(r.call("INFO", "persistence").contains("rdb_bgsave_in_progress:1"));
            assertTrue(r.call("BGSAVE").startsWith("-ERR Background save already in progress"));
            assertTrue(r.call("BGREWRITEAOF").startsWith("-ERR"));
            server.process().terminate();
            ChildJvm.Result result = server.finish(KvServerTest.LIMIT);
            assertEquals(143, result.status().code(), "stopped by TERM, cleanly: " + result.describe());
            try (var files = Files.list(dir)) {
                assertEquals(List.of(), files.toList(), "the temporary file is removed, and no snapshot made");
            }
        }
        server.close();
        server = null;
    }

    /** The persistence tests' keys, and larger values Redis encodes otherwise (tables, skiplists, 64-bit intsets). */
    private static void fillMore(Resp r) throws Exception {
        PersistenceTest.fill(r);
        for (int i = 0; i < 300; i++) {
            assertEquals(":" + (i + 1), r.call("RPUSH", "biglist", "element-" + i));
            r.call("HSET", "bighash", "field" + i, "value" + i);
            r.call("ZADD", "bigzset", Integer.toString(i), "m" + i);
            r.call("SADD", "ints", Long.toString(Long.MAX_VALUE - i));
        }
        assertEquals("+OK", r.call("SET", "number", "-123456789012"));
        assertEquals("+OK", r.call("SET", "long", "xy".repeat(2000)));
    }
}
