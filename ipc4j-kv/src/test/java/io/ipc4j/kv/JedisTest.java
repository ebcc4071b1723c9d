package io.ipc4j.kv;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.resps.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jedis, in RESP2 and RESP3, against the server in a child JVM: every data type, blocking pops, pub/sub, WATCH. */
class JedisTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();
    private static final String PASSWORD = "jedis-test-secret";

    private ChildJvm.Running server;
    private Path socket;
    private int port;

    @BeforeEach
    void start() throws Exception {
        socket = LEAKS.scratch().resolve("kv.sock");
        server = ChildJvm.of(KvChild.class, socket.toString(), "--tcp", PASSWORD).fullJit().start();
        String ready = server.awaitLine(l -> l.startsWith("ready "), KvServerTest.LIMIT);
        port = Integer.parseInt(ready.substring(6));
    }

    @AfterEach
    void stop() throws Exception {
        try (Jedis j = connect(RedisProtocol.RESP2)) {
            try {
                j.shutdown();
            } catch (redis.clients.jedis.exceptions.JedisConnectionException expected) {
                // the server closes the connection without a reply, as Redis does
            }
        }
        assertEquals(0, server.finish(KvServerTest.LIMIT).status().code());
        server.close();
        assertFalse(Files.exists(socket));
    }

    private Jedis connect(RedisProtocol protocol) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().password(PASSWORD)
                .protocol(protocol).timeoutMillis(10_000).build());
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void everyTypeThroughJedisPipelinedAndNot(RedisProtocol protocol) {
        try (Jedis j = connect(protocol)) {
            assertEquals(3, j.rpush("list", "a", "b", "c"));
            assertEquals(List.of("c", "b"), j.lrange("list", 0, -1).reversed().subList(0, 2));
            assertEquals(2, j.hset("hash", Map.of("f", "1", "g", "2")));
            assertEquals(Map.of("f", "1", "g", "2"), j.hgetAll("hash"));
            assertEquals(5, j.hincrBy("hash", "f", 4));
            assertEquals(2, j.sadd("set", "x", "y"));
            assertEquals(Set.of("x", "y"), j.smembers("set"));
            assertEquals(2, j.zadd("zset", Map.of("low", 1.0, "high", 2.5)));
            assertEquals(2.5, j.zscore("zset", "high"));
            List<Tuple> ranked = j.zrangeWithScores("zset", 0, -1);
            assertEquals("low", ranked.get(0).getElement());
            assertEquals(2.5, ranked.get(1).getScore());
            assertEquals("zset", j.type("zset"));
            Pipeline p = j.pipelined();
            List<Response<Long>> pushes = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                pushes.add(p.lpush("piped", "e" + i));
            }
            Response<List<String>> all = p.lrange("piped", 0, 2);
            p.sync();
            assertEquals(1000, pushes.getLast().get());
            assertEquals(List.of("e999", "e998", "e997"), all.get());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void blpopIsReleasedByAnotherClientsPushAndTimesOutEmpty(RedisProtocol protocol) throws Exception {
        try (Jedis waiter = connect(protocol); Jedis pusher = connect(protocol)) {
            CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(10, "jobs"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!pusher.info("clients").contains("blocked_clients:1")) {
                assertTrue(System.nanoTime() < deadline, "the waiter blocks");
                Thread.sleep(5);
            }
            assertEquals(1, pusher.rpush("jobs", "job-1"));
            assertEquals(List.of("jobs", "job-1"), popped.get(10, TimeUnit.SECONDS));
            assertNull(waiter.blpop(0.05, "jobs"), "an empty list times out with nil");
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void publishReachesASubscriberAndItsPattern(RedisProtocol protocol) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(2);
        CountDownLatch messages = new CountDownLatch(4);
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                received.add(channel + "=" + message);
                messages.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                received.add(pattern + ":" + channel + "=" + message);
                messages.countDown();
            }
        };
        try (Jedis subscriber = connect(protocol); Jedis publisher = connect(protocol)) {
            Thread t = Thread.ofPlatform().start(() -> subscriber.subscribe(listener, "news"));
            awaitOne(subscribed);
            listener.psubscribe("n*");
            assertTrue(subscribed.await(10, TimeUnit.SECONDS));
            assertEquals(2, publisher.publish("news", "one"));
            assertEquals(2, publisher.publish("news", "two"));
            assertTrue(messages.await(10, TimeUnit.SECONDS), "received " + received);
            assertEquals(List.of("news=one", "n*:news=one", "news=two", "n*:news=two"), received);
            listener.unsubscribe();
            listener.punsubscribe();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(0, publisher.publish("news", "nobody"));
        }
    }

    /** Waits (10 s at most) until the first subscription is confirmed, before PSUBSCRIBE is sent on it. */
    private static void awaitOne(CountDownLatch latch) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (latch.getCount() > 1) {
            assertTrue(System.nanoTime() < deadline, "SUBSCRIBE was confirmed");
            Thread.sleep(5);
        }
    }

    @ParameterizedTest
    @EnumSource(value = RedisProtocol.class, names = {"RESP2", "RESP3"})
    void watchedTransactionCommitsOrIsDiscarded(RedisProtocol protocol) {
        try (Jedis j = connect(protocol); Jedis other = connect(protocol)) {
            j.set("balance", "10");
            j.watch("balance");
            Transaction t = j.multi();
            t.incrBy("balance", 5);
            t.lpush("log", "+5");
            assertEquals(List.of(15L, 1L), t.exec());
            j.watch("balance");
            other.set("balance", "0");
            Transaction lost = j.multi();
            lost.incrBy("balance", 5);
            assertNull(lost.exec(), "a watched key changed: EXEC does nothing");
            assertEquals("0", j.get("balance"));
        }
    }
}
