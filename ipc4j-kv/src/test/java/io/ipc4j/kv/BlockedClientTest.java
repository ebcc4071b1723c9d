package io.ipc4j.kv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocked clients with more to say, and clients that leave while blocked, in a child JVM. */
class BlockedClientTest extends ServerPerTest {

    @Test
    void requestsPipelinedBehindABlockingPopWaitAndAllRunWhenItIsServed() throws Exception {
        // #19: 20,000 requests (about 600 KB) sent after BLPOP fill the input buffer of a client that cannot
        // run them yet; the server stopped on "input buffer full". Now it stops reading that client until
        // the pop is served, then runs every one in order
        try (Resp blocked = new Resp(socket); Resp pusher = new Resp(socket)) {
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(Resp.command("BLPOP", "queue", "0"));
            for (int i = 0; i < 20_000; i++) {
                pipeline.writeBytes(Resp.command("INCR", "counter"));
            }
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    blocked.send(pipeline.toByteArray());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            awaitBlocked(pusher);
            assertEquals(":1", pusher.call("RPUSH", "queue", "job"));
            assertEquals("[queue, job]", blocked.reply());
            for (int i = 1; i <= 20_000; i++) {
                assertEquals(":" + i, blocked.reply(), "the INCRs run after the pop, in order");
            }
            sent.get(30, TimeUnit.SECONDS);
            assertEquals("20000", pusher.call("GET", "counter"));
        }
    }

    @Test
    void aClientThatLeavesWhileBlockedIsNeverServed() throws Exception {
        try (Resp pusher = new Resp(socket)) {
            try (Resp leaving = new Resp(socket)) {
                leaving.send(Resp.command("BLPOP", "queue", "0"));
                awaitBlocked(pusher);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!pusher.call("INFO", "clients").contains("blocked_clients:0\r\n")) {
                assertTrue(System.nanoTime() < deadline, "the wait ends when its client leaves");
                Thread.sleep(5);
            }
            assertEquals(":1", pusher.call("RPUSH", "queue", "kept"));
            assertEquals("[kept]", pusher.call("LRANGE", "queue", "0", "-1"), "nobody took it");
        }
    }

    private static void awaitBlocked(Resp r) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!r.call("INFO", "clients").contains("blocked_clients:1\r\n")) {
            assertTrue(System.nanoTime() < deadline, "the client blocks");
            Thread.sleep(5);
        }
    }
}
