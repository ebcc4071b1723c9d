package io.ipc4j.kv;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real Redis clients against the server in a child JVM: Lettuce, redis-cli, redis-benchmark. */
class RealClientsTest extends ServerPerTest {

    private static String tool(String name) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new AssertionError(name + " is not installed: apt-get install redis-tools (.ci/run does)");
    }

    @Test
    void lettuceWorksOverTheUnixSocketBinarySafePipelinedAndScanning() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.create("redis-socket://" + socket));
        try (StatefulRedisConnection<String, String> connection = client.connect();
             StatefulRedisConnection<byte[], byte[]> binary = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<String, String> redis = connection.sync();
            assertEquals("PONG", redis.ping());
            assertEquals("OK", redis.set("greeting", "hello", SetArgs.Builder.ex(100)));
            assertEquals("hello", redis.get("greeting"));
            assertTrue(redis.ttl("greeting") > 90);
            assertEquals(5L, redis.incrby("counter", 5));
            redis.mset(Map.of("a", "1", "b", "2"));
            assertEquals(List.of("1", "2"), redis.mget("a", "b").stream().map(kv -> kv.getValue()).toList());

            byte[] key = new byte[256];
            byte[] value = new byte[100_000];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) i;
            }
            new java.util.SplittableRandom(3).nextBytes(value);
            binary.sync().set(key, value);
            assertArrayEquals(value, binary.sync().get(key), "binary-safe keys and values");

            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<Long>> replies = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                replies.add(async.incr("pipelined"));
            }
            connection.flushCommands();
            for (int i = 0; i < replies.size(); i++) {
                assertEquals(i + 1, replies.get(i).get(30, TimeUnit.SECONDS));
            }
            connection.setAutoFlushCommands(true);

            for (int i = 0; i < 500; i++) {
                redis.set("scan:" + i, "x");
            }
            Set<String> seen = new HashSet<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches("scan:*").limit(50));
                seen.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
            assertEquals(500, seen.size());
            assertEquals(506L, redis.dbsize()); // greeting, counter, a, b, the binary key, pipelined, 500 scan keys
        } finally {
            client.shutdown();
        }
    }

    @Test
    void redisCliWorksUnchanged() throws Exception {
        String cli = tool("redis-cli");
        String out = KvServerTest.run(List.of(cli, "-s", socket.toString()),
                "SET name ipc4j\nGET name\nINCR visits\nINCR visits\nEXPIRE name 100\nTTL name\nDBSIZE\nGET nope\n"
                        + "LPUSH list x\nLPUSH list y\nLRANGE list 0 -1\nNOSUCH a\n");
        assertEquals("OK\nipc4j\n1\n2\n1\n100\n2\n\n1\n2\ny\nx\n"
                + "ERR unknown command 'NOSUCH', with args beginning with: 'a' \n\n", out);
        assertEquals("list\nname\nvisits\n", sortedLines(KvServerTest.run(List.of(cli, "-s", socket.toString(),
                "--scan", "--pattern", "*"), null)));
        assertTrue(KvServerTest.run(List.of(cli, "-s", socket.toString(), "INFO", "keyspace"), null)
                .contains("db0:keys=3,expires=1"));
    }

    @Test
    void aShortRedisBenchmarkRunCountsExactly() throws Exception {
        String bench = tool("redis-benchmark");
        String out = KvServerTest.run(List.of(bench, "-s", socket.toString(), "-n", "20000", "-c", "20", "-P", "4",
                "-t", "ping,set,get,incr,mset", "--csv"), null);
        for (String test : List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)")) {
            assertTrue(out.contains("\"" + test + "\""), test + " missing from:\n" + out);
        }
        try (Resp r = new Resp(socket)) {
            assertEquals("20000", r.call("GET", "counter:__rand_int__"), "every INCR of 20 clients counted");
        }
    }

    @Test
    void twoThousandConnectionsAtOnceAreAllServed() throws Exception {
        List<java.nio.channels.SocketChannel> connections = new ArrayList<>();
        try {
            byte[] ping = Resp.command("PING");
            for (int i = 0; i < 2000; i++) {
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                        java.net.StandardProtocolFamily.UNIX);
                ch.connect(java.net.UnixDomainSocketAddress.of(socket));
                ch.write(java.nio.ByteBuffer.wrap(ping));
                connections.add(ch);
            }
            int pongs = 0;
            for (java.nio.channels.SocketChannel ch : connections) {
                java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(7);
                while (reply.hasRemaining() && ch.read(reply) >= 0) {
                    // a 7-byte reply may come in pieces
                }
                if (new String(reply.array(), java.nio.charset.StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
                    pongs++;
                }
            }
            assertEquals(2000, pongs);
            try (Resp r = new Resp(socket)) {
                assertTrue(r.call("INFO", "clients").contains("connected_clients:2001\r\n"));
            }
        } finally {
            for (java.nio.channels.SocketChannel ch : connections) {
                ch.close();
            }
        }
    }

    private static String sortedLines(String s) {
        return String.join("\n", s.lines().sorted().toList()) + "\n";
    }
}
