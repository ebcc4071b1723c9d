package io.ipc4j.kv;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server in a child JVM, driven with exact RESP bytes: replies and errors as Redis 7 gives them. */
class KvServerTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();
    static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    private ChildJvm.Running server;
    private Path socket;

    static ChildJvm.Running startServer(Path socket, String... limits) throws Exception {
        List<String> args = new ArrayList<>(List.of(socket.toString()));
        args.addAll(List.of(limits));
        ChildJvm.Running child = ChildJvm.of(KvChild.class, args.toArray(String[]::new)).fullJit().start();
        child.awaitLine("ready"::equals, LIMIT);
        return child;
    }

    /**
     * SHUTDOWN through the socket (unless the test already stopped the server): the server closes the
     * connection, exits 0 and removes the socket file.
     */
    static void shutdown(Path socket, ChildJvm.Running server) throws Exception {
        if (server.process().isAlive()) {
            try (Resp r = new Resp(socket)) {
                r.send(Resp.command("SHUTDOWN"));
                assertTrue(r.closedByServer());
            }
        }
        assertEquals(0, server.finish(LIMIT).status().code());
        server.close();
        assertFalse(Files.exists(socket), "SHUTDOWN removes the socket file");
    }

    private Resp connect(String... limits) throws Exception {
        if (server == null) {
            socket = LEAKS.scratch().resolve("kv.sock");
            server = startServer(socket, limits);
        }
        return new Resp(socket);
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            shutdown(socket, server);
        }
    }

    @Test
    void stringCommandsReplyAsRedisDoes() throws Exception {
        try (Resp r = connect()) {
            Map<String[], String> cases = new java.util.LinkedHashMap<>();
            cases.put(new String[] {"SET", "k", "v"}, "+OK");
            cases.put(new String[] {"GET", "k"}, "v");
            cases.put(new String[] {"GET", "missing"}, "(nil)");
            cases.put(new String[] {"SET", "k", "w", "NX"}, "(nil)");
            cases.put(new String[] {"SET", "k", "w", "XX", "GET"}, "v");
            cases.put(new String[] {"SET", "k", "x", "NX", "XX"}, "-ERR syntax error");
            cases.put(new String[] {"SET", "k", "x", "EX", "0"}, "-ERR invalid expire time in 'set' command");
            cases.put(new String[] {"SET", "k", "x", "EX", "ten"}, "-ERR value is not an integer or out of range");
            cases.put(new String[] {"SET", "k", "x", "KEEPTTL", "PX", "5"}, "-ERR syntax error");
            cases.put(new String[] {"SETNX", "k", "y"}, ":0");
            cases.put(new String[] {"GETSET", "k", "z"}, "w");
            cases.put(new String[] {"GETDEL", "k"}, "z");
            cases.put(new String[] {"EXISTS", "k"}, ":0");
            cases.put(new String[] {"SETEX", "t", "100", "v"}, "+OK");
            cases.put(new String[] {"TTL", "t"}, ":100");
            cases.put(new String[] {"SETEX", "t", "-1", "v"}, "-ERR invalid expire time in 'setex' command");
            cases.put(new String[] {"GETEX", "t", "PERSIST"}, "v");
            cases.put(new String[] {"TTL", "t"}, ":-1");
            cases.put(new String[] {"APPEND", "s", "Hello"}, ":5");
            cases.put(new String[] {"APPEND", "s", " World"}, ":11");
            cases.put(new String[] {"GETRANGE", "s", "0", "4"}, "Hello");
            cases.put(new String[] {"GETRANGE", "s", "-5", "-1"}, "World");
            cases.put(new String[] {"GETRANGE", "s", "5", "3"}, "");
            cases.put(new String[] {"SETRANGE", "s", "6", "Redis"}, ":11");
            cases.put(new String[] {"GET", "s"}, "Hello Redis");
            cases.put(new String[] {"SETRANGE", "s", "-1", "x"}, "-ERR offset is out of range");
            cases.put(new String[] {"STRLEN", "s"}, ":11");
            cases.put(new String[] {"INCR", "n"}, ":1");
            cases.put(new String[] {"INCRBY", "n", "41"}, ":42");
            cases.put(new String[] {"DECRBY", "n", "2"}, ":40");
            cases.put(new String[] {"DECR", "n"}, ":39");
            cases.put(new String[] {"INCR", "s"}, "-ERR value is not an integer or out of range");
            cases.put(new String[] {"SET", "max", "9223372036854775807"}, "+OK");
            cases.put(new String[] {"INCR", "max"}, "-ERR increment or decrement would overflow");
            cases.put(new String[] {"SET", "lead", "007"}, "+OK");
            cases.put(new String[] {"INCR", "lead"}, "-ERR value is not an integer or out of range");
            cases.put(new String[] {"INCRBYFLOAT", "f", "10.5"}, "10.5");
            cases.put(new String[] {"INCRBYFLOAT", "f", "0.1"}, "10.6");
            // long double arithmetic, printed %.17Lf: what redis-server 7.0.15 answers here too
            cases.put(new String[] {"INCRBYFLOAT", "f", "-5.0e3"}, "-4989.39999999999999991");
            cases.put(new String[] {"INCRBYFLOAT", "f", "abc"}, "-ERR value is not a valid float");
            cases.put(new String[] {"MSET", "a", "1", "b", "2"}, "+OK");
            cases.put(new String[] {"MSET", "a", "1", "b"}, "-ERR wrong number of arguments for 'mset' command");
            cases.put(new String[] {"MGET", "a", "nope", "b"}, "[1, (nil), 2]");
            cases.put(new String[] {"MSETNX", "a", "9", "c", "3"}, ":0");
            cases.put(new String[] {"MSETNX", "c", "3", "d", "4"}, ":1");
            cases.put(new String[] {"GET"}, "-ERR wrong number of arguments for 'get' command");
            cases.put(new String[] {"NOSUCH", "x", "y"},
                    "-ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' ");
            cases.put(new String[] {"PING"}, "+PONG");
            cases.put(new String[] {"PING", "hi"}, "hi");
            cases.put(new String[] {"ECHO", "é"}, "é");
            for (Map.Entry<String[], String> e : cases.entrySet()) {
                assertEquals(e.getValue(), r.call(e.getKey()), String.join(" ", e.getKey()));
            }
        }
    }

    @Test
    void keyspaceCommandsReplyAsRedisDoes() throws Exception {
        try (Resp r = connect()) {
            for (int i = 0; i < 5; i++) {
                r.call("SET", "key:" + i, "v" + i);
            }
            Map<String[], String> cases = new java.util.LinkedHashMap<>();
            cases.put(new String[] {"DBSIZE"}, ":5");
            cases.put(new String[] {"EXISTS", "key:1", "key:1", "nope"}, ":2");
            cases.put(new String[] {"TYPE", "key:1"}, "+string");
            cases.put(new String[] {"TYPE", "nope"}, "+none");
            cases.put(new String[] {"KEYS", "key:[0-2]"}, "[key:0, key:1, key:2]");
            cases.put(new String[] {"RENAME", "nope", "x"}, "-ERR no such key");
            cases.put(new String[] {"RENAME", "key:0", "renamed"}, "+OK");
            cases.put(new String[] {"RENAMENX", "renamed", "key:1"}, ":0");
            cases.put(new String[] {"COPY", "renamed", "copied"}, ":1");
            cases.put(new String[] {"COPY", "renamed", "copied"}, ":0");
            cases.put(new String[] {"COPY", "renamed", "copied", "DB", "16"}, "-ERR DB index is out of range");
            cases.put(new String[] {"COPY", "renamed", "renamed"}, "-ERR source and destination objects are the same");
            cases.put(new String[] {"DEL", "renamed", "copied", "nope"}, ":2");
            cases.put(new String[] {"EXPIRE", "key:1", "100"}, ":1");
            cases.put(new String[] {"EXPIRE", "key:1", "50", "GT"}, ":0");
            cases.put(new String[] {"EXPIRE", "key:1", "200", "GT"}, ":1");
            cases.put(new String[] {"EXPIRE", "key:1", "300", "NX"}, ":0");
            cases.put(new String[] {"EXPIRE", "key:2", "300", "XX"}, ":0");
            cases.put(new String[] {"EXPIRE", "key:2", "300", "LT"}, ":1");
            cases.put(new String[] {"EXPIRE", "key:1", "1", "NX", "XX"},
                    "-ERR NX and XX, GT or LT options at the same time are not compatible");
            cases.put(new String[] {"EXPIRE", "key:1", "1", "GT", "LT"},
                    "-ERR GT and LT options at the same time are not compatible");
            cases.put(new String[] {"TTL", "key:1"}, ":200");
            cases.put(new String[] {"PERSIST", "key:1"}, ":1");
            cases.put(new String[] {"TTL", "key:1"}, ":-1");
            cases.put(new String[] {"TTL", "nope"}, ":-2");
            cases.put(new String[] {"EXPIRETIME", "key:1"}, ":-1");
            cases.put(new String[] {"PEXPIREAT", "key:3", "1"}, ":1");
            cases.put(new String[] {"EXISTS", "key:3"}, ":0");
            cases.put(new String[] {"SELECT", "15"}, "+OK");
            cases.put(new String[] {"DBSIZE"}, ":0");
            cases.put(new String[] {"SELECT", "16"}, "-ERR DB index is out of range");
            cases.put(new String[] {"SELECT", "0"}, "+OK");
            cases.put(new String[] {"SCAN", "x"}, "-ERR invalid cursor");
            cases.put(new String[] {"HELLO", "4"}, "-NOPROTO unsupported protocol version");
            cases.put(new String[] {"CLIENT", "SETNAME", "bad name"},
                    "-ERR Client names cannot contain spaces, newlines or special characters.");
            cases.put(new String[] {"CLIENT", "SETNAME", "tester"}, "+OK");
            cases.put(new String[] {"CLIENT", "GETNAME"}, "tester");
            cases.put(new String[] {"FLUSHDB", "SYNC"}, "+OK");
            cases.put(new String[] {"DBSIZE"}, ":0");
            cases.put(new String[] {"RANDOMKEY"}, "(nil)");
            for (Map.Entry<String[], String> e : cases.entrySet()) {
                assertEquals(e.getValue(), r.call(e.getKey()), String.join(" ", e.getKey()));
            }
            assertTrue(r.call("CLIENT", "LIST").contains(" name=tester "));
            assertTrue(r.call("INFO", "server").contains("redis_version:7.0.0"));
        }
    }

    @Test
    void expiredKeysAreRemovedActivelyWithoutBeingTouched() throws Exception {
        try (Resp r = connect()) {
            for (int i = 0; i < 100; i++) {
                assertEquals("+OK", r.call("SET", "short:" + i, "x", "PX", "50"));
            }
            assertEquals("+OK", r.call("SET", "long", "x", "EX", "100"));
            long deadline = System.currentTimeMillis() + 10_000;
            String size;
            do {
                size = r.call("DBSIZE"); // counts keys not yet removed; GET would expire them lazily instead
            } while (!size.equals(":1") && System.currentTimeMillis() < deadline);
            assertEquals(":1", size);
            assertTrue(r.call("INFO", "stats").contains("expired_keys:100\r\n"));
            assertEquals("x", r.call("GET", "long"));
        }
    }

    @Test
    void scanReturnsEveryKeyPresentThroughoutExactlyOnceWhileKeysChange() throws Exception {
        try (Resp r = connect()) {
            for (int i = 0; i < 1000; i++) {
                r.call("SET", "stay:" + i, "x");
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            int duplicates = 0;
            String cursor = "0";
            int round = 0;
            do {
                r.call("SET", "churn:" + round, "x"); // other keys come and go during the scan
                r.call("DEL", "churn:" + (round - 1));
                String reply = r.call("SCAN", cursor, "MATCH", "stay:*", "COUNT", "37");
                cursor = reply.substring(1, reply.indexOf(','));
                String keys = reply.substring(reply.indexOf('[', 1) + 1, reply.length() - 2);
                for (String k : keys.isEmpty() ? new String[0] : keys.split(", ")) {
                    if (!seen.add(k)) {
                        duplicates++;
                    }
                }
                round++;
            } while (!cursor.equals("0"));
            assertEquals(1000, seen.size());
            assertEquals(0, duplicates);
        }
    }

    @Test
    void pipelinedRequestsThenShutdownGetEveryReplyThenTheServerStops() throws Exception {
        try (Resp r = connect()) {
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 5000; i++) {
                batch.writeBytes(Resp.command("INCR", "counter"));
            }
            batch.writeBytes("PING\r\n".getBytes(StandardCharsets.US_ASCII)); // inline, as nc would send it
            batch.writeBytes(Resp.command("SHUTDOWN"));
            r.send(batch.toByteArray());
            for (int i = 1; i <= 5000; i++) {
                assertEquals(":" + i, r.reply());
            }
            assertEquals("+PONG", r.reply());
            assertTrue(r.closedByServer());
        }
        ChildJvm.Result result = server.finish(LIMIT);
        assertEquals(0, result.status().code(), result.describe());
        assertEquals(List.of("ready", "stopped"), result.stdoutLines());
        assertFalse(Files.exists(socket));
        server.close();
        server = null;
    }

    /**
     * INFO commandstats counts every call, rejection and failure, pipelined or not, and its times add up: a
     * batch's time is shared by the commands it ran (the clock is read per batch, not per request).
     */
    @Test
    void commandstatsCountsEveryCallOfAPipeline() throws Exception {
        try (Resp r = connect()) {
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 3000; i++) {
                batch.writeBytes(Resp.command("SET", "k" + (i % 10), "v"));
                batch.writeBytes(Resp.command("GET", "k" + (i % 10)));
            }
            batch.writeBytes(Resp.command("GET")); // rejected: wrong number of arguments
            batch.writeBytes(Resp.command("INCR", "k1")); // failed: not an integer
            r.send(batch.toByteArray());
            for (int i = 0; i < 3000; i++) {
                assertEquals("+OK", r.reply());
                assertEquals("v", r.reply());
            }
            assertTrue(r.reply().startsWith("-ERR wrong number of arguments"));
            assertEquals("-ERR value is not an integer or out of range", r.reply());
            String stats = r.call("INFO", "commandstats");
            java.util.regex.Matcher get = java.util.regex.Pattern.compile(
                    "cmdstat_get:calls=3000,usec=(\\d+),usec_per_call=([0-9.]+),rejected_calls=1,failed_calls=0\r\n")
                    .matcher(stats);
            assertTrue(get.find(), stats);
            assertTrue(Long.parseLong(get.group(1)) > 0, "3,000 GETs take some time: " + stats);
            assertEquals(Long.parseLong(get.group(1)) / 3000.0, Double.parseDouble(get.group(2)), 0.006, stats);
            assertTrue(stats.contains("cmdstat_set:calls=3000,"), stats);
            assertTrue(stats.contains("cmdstat_incr:calls=1,") && stats.contains(",rejected_calls=0,failed_calls=1\r\n"),
                    stats);
        }
    }

    @Test
    void termStopsTheServerAndRemovesTheSocketFile() throws Exception {
        try (Resp r = connect()) {
            assertEquals("+OK", r.call("SET", "k", "v"));
            io.ipc4j.signal.Signals.send(server.pid(), io.ipc4j.signal.Signal.TERM);
            assertTrue(r.closedByServer());
        }
        assertEquals(143, server.finish(LIMIT).status().code());
        assertFalse(Files.exists(socket));
        server.close();
        server = null;
    }

    /**
     * The loop busy-polls after a turn with work where it has a CPU to spare (here up to an hour, cut short by
     * the 100 ms tick of a select that finds nothing): 200 PINGs a millisecond apart then find it awake, and it
     * sleeps (a voluntary context switch of its thread) only at those ticks. Without polling it sleeps
     * after each reply and is woken by the next request (211 seen in 200 requests; 6 with polling).
     */
    @Test
    void requestsOneAfterAnotherFindTheLoopAwakeWhereACpuIsFree() throws Exception {
        try (Resp r = connect("--busy-poll", String.valueOf(TimeUnit.HOURS.toMicros(1)))) {
            long loop = io.ipc4j.testing.KernelWait.threadNamed(server.pid(), "ipc4j-kv-loop-0");
            assertEquals("+PONG", r.call("PING"));
            long before = voluntarySwitches(server.pid(), loop);
            for (int i = 0; i < 200; i++) {
                assertEquals("+PONG", r.call("PING"));
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a turn takes far less
            }
            long sleeps = voluntarySwitches(server.pid(), loop) - before;
            if (Runtime.getRuntime().availableProcessors() == 1) { // the child has as many as this JVM
                assertTrue(sleeps >= 150, "no CPU to spare, so no polling, yet the loop slept only " + sleeps
                        + " times in 200 requests");
            } else {
                assertTrue(sleeps < 50, "the loop slept " + sleeps + " times in 200 requests");
            }
        }
    }

    private static long voluntarySwitches(long pid, long tid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/task/" + tid + "/status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new AssertionError("no voluntary_ctxt_switches for thread " + tid);
    }

    static String run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish");
        }
        return out;
    }
}
