package io.ipc4j.cli.kv;

import io.ipc4j.cli.Tools;
import io.ipc4j.kv.KvConfig;
import io.ipc4j.kv.KvServer;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ipc4j kv bench}: redis-benchmark over Unix sockets against ipc4j-kv (in this JVM) and Debian's
 * redis-server (a child process) in the same run, with and without pipelining, side by side.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "redis-benchmark over Unix sockets against ipc4j-kv and redis-server, side by side.")
public final class KvBench implements Callable<Integer> {
    @Option(names = "--requests", converter = Ranges.Positive.class, defaultValue = "200000", description = "Requests per test (default 200000).")
    private int requests;

    @Option(names = "--clients", converter = Ranges.Positive.class, defaultValue = "50", description = "Parallel connections (default 50).")
    private int clients;

    @Option(names = "--tests", defaultValue = "ping,set,get,incr,mset",
            description = "redis-benchmark tests (default ping,set,get,incr,mset).")
    private String tests;

    @Option(names = "--pipeline", converter = Ranges.Positive.class, defaultValue = "16", description = "The pipelined run's depth (default 16).")
    private int pipeline;

    /** One redis-benchmark CSV row. */
    record Row(String test, double rps, double p50, double p99) {
    }

    @Override
    public Integer call() throws Exception {
        String benchmark = Tools.which("redis-benchmark");
        if (benchmark == null) {
            System.err.println("redis-benchmark is not installed: apt-get install redis-tools");
            return 2;
        }
        String redisServer = Tools.which("redis-server");
        Path dir = Files.createTempDirectory("ipc4j-kv-bench-");
        Path kvSocket = dir.resolve("kv.sock");
        Path redisSocket = dir.resolve("redis.sock");
        Map<String, Map<String, Row>> results = new LinkedHashMap<>();
        Process redis = null;
        try (KvServer kv = KvServer.start(KvConfig.defaults(kvSocket))) {
            System.out.println("ipc4j-kv on " + kv.socket() + "; redis-server " + (redisServer == null ? "missing"
                    : "on " + redisSocket));
            if (redisServer != null) {
                redis = new ProcessBuilder(redisServer, "--port", "0", "--unixsocket", redisSocket.toString(),
                        "--unixsocketperm", "600", "--save", "", "--appendonly", "no", "--daemonize", "no")
                        .redirectOutput(dir.resolve("redis.log").toFile()).redirectErrorStream(true).start();
                Tools.awaitSocket(redisSocket, Duration.ofSeconds(10));
            } else {
                System.err.println("redis-server is not installed (apt-get install redis-server): ipc4j-kv alone");
            }
            System.out.printf(Locale.ROOT, "warming up (%d requests each, not measured)...%n", requests / 2);
            run(benchmark, kvSocket, requests / 2, 1);
            if (redis != null) {
                run(benchmark, redisSocket, requests / 2, 1);
            }
            for (int depth : new int[] {1, pipeline}) {
                results.put("ipc4j-kv P" + depth, run(benchmark, kvSocket, requests, depth));
                if (redis != null) {
                    results.put("redis-server P" + depth, run(benchmark, redisSocket, requests, depth));
                }
            }
        } finally {
            if (redis != null) {
                redis.destroy();
                redis.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(redisSocket);
            Files.deleteIfExists(dir.resolve("redis.log"));
            Files.deleteIfExists(dir);
        }
        print(results);
        return 0;
    }

    private Map<String, Row> run(String benchmark, Path socket, int n, int depth) throws IOException, InterruptedException {
        List<String> command = List.of(benchmark, "-s", socket.toString(), "-n", String.valueOf(n), "-c",
                String.valueOf(clients), "-P", String.valueOf(depth), "-t", tests, "--csv");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.replace("\"", "").split(",");
            if (f.length >= 7 && !f[0].equals("test")) {
                rows.put(f[0], new Row(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[6])));
            }
        }
        return rows;
    }

    private void print(Map<String, Map<String, Row>> results) {
        System.out.printf(Locale.ROOT, "ipc4j kv bench, %s, %d CPUs, redis-benchmark -c %d -n %d over Unix sockets%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), clients, requests);
        for (int depth : new int[] {1, pipeline}) {
            Map<String, Row> kv = results.get("ipc4j-kv P" + depth);
            Map<String, Row> redis = results.getOrDefault("redis-server P" + depth, Map.of());
            System.out.printf(Locale.ROOT, "%npipeline %d%n  %-16s %12s %8s %8s %12s %8s %8s %7s%n", depth, "test",
                    "kv ops/s", "p50 ms", "p99 ms", "redis ops/s", "p50 ms", "p99 ms", "kv/redis");
            for (Row k : kv.values()) {
                Row r = redis.get(k.test());
                System.out.printf(Locale.ROOT, "  %-16s %,12.0f %8.3f %8.3f %12s %8s %8s %7s%n", k.test(), k.rps(),
                        k.p50(), k.p99(), r == null ? "-" : String.format(Locale.ROOT, "%,.0f", r.rps()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3f", r.p50()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.3f", r.p99()),
                        r == null ? "-" : String.format(Locale.ROOT, "%.2f", k.rps() / r.rps()));
            }
        }
    }
}
