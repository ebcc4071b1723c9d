package io.ipc4j.cli.kv;

import io.ipc4j.cli.Tools;
import io.ipc4j.bench.Bench;
import io.ipc4j.kv.bench.RedisBenchmark;
import io.ipc4j.kv.bench.RedisBenchmark.Row;
import io.ipc4j.bench.Rounds;
import io.ipc4j.cli.Ipc4j;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * {@code ipc4j kv bench}: redis-benchmark over Unix sockets against ipc4j-kv and Debian's redis-server, each
 * a child process of its own (ipc4j-kv is {@code ipc4j kv serve} in a new JVM, so the two are set up alike and
 * neither shares a process with this driver), with and without pipelining, side by side. The two servers
 * take turns test by test, each test's two runs one after the other (the first to run alternates with each
 * test and each round), so that the machine's drift over a round's minutes falls on both alike; each figure
 * is the median of the rounds, since one run on a small shared machine drifts by ±10%; the kv/redis column is
 * the median of the rounds' ratios of the two adjacent runs, with their range. A pipelined run of a test gets
 * as many requests as make it last about as long as the unpipelined one (from the warm-up's rates; 16 deep,
 * 100,000 GETs took 50 ms, and such runs' ratios ranged 0.55-1.52). Each server's CPU time per request (from
 * /proc, all its threads) is printed beside its rate: the steadier measure of the server itself, since
 * redis-benchmark's own CPU bounds the rate on a small machine. With {@code --control} a second redis-server
 * takes its turns too and is reckoned against the first as ipc4j-kv is: how often one redis-server "beats"
 * another identical one is the resolution of the kv/redis verdict on the machine at hand.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "redis-benchmark over Unix sockets against ipc4j-kv and redis-server, side by side.")
public final class KvBench implements Callable<Integer> {
    @Option(names = "--requests", converter = Ranges.Positive.class, defaultValue = "100000", description = "Requests per test unpipelined (default 100000: the 20 tests of the default set, both depths, 3 rounds, take about 10 minutes on 2 CPUs). A pipelined run gets as many more as make it last about as long, from the warm-up's rates.")
    private int requests;

    @Option(names = "--clients", converter = Ranges.Positive.class, defaultValue = "50", description = "Parallel connections (default 50).")
    private int clients;

    @Option(names = "--tests", defaultValue = "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset",
            description = "redis-benchmark tests (default: its default set, ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange,mset).")
    private String tests;

    @Option(names = "--pipeline", converter = Ranges.Positive.class, defaultValue = "16", description = "The pipelined run's depth (default 16).")
    private int pipeline;

    @Option(names = "--rounds", converter = Ranges.Positive.class, defaultValue = "3",
            description = "Rounds; the servers alternate which runs first, and the medians are printed (default 3).")
    private int rounds;

    @Option(names = "--control", description = "Also run a second redis-server in the same turns, and print how it"
            + " compares with the first: the noise a kv/redis figure must be read against on this machine.")
    private boolean control;

    /** A server under test: its name in the results, where it listens, its process. */
    private record Server(String name, Path socket, long pid) {
    }

    @Override
    @SuppressWarnings("try") // the guards only need closing
    public Integer call() throws Exception {
        String benchmark = Tools.which("redis-benchmark");
        if (benchmark == null) {
            System.err.println("redis-benchmark is not installed: apt-get install redis-tools");
            return 2;
        }
        String redisProgram = Tools.which("redis-server");
        RedisBenchmark bench = new RedisBenchmark(benchmark, clients, List.of(tests.split(",")));
        Path dir = Files.createTempDirectory("ipc4j-kv-bench-");
        Path kvSocket = dir.resolve("kv.sock");
        Path redisSocket = dir.resolve("redis.sock");
        Map<String, List<Map<String, Row>>> results = new LinkedHashMap<>();
        GracefulShutdown shutdown = GracefulShutdown.install(); // INT, TERM or HUP skip finally blocks
        AtomicReference<Process> redisServer = new AtomicReference<>();
        AtomicReference<Process> controlServer = new AtomicReference<>();
        try (GracefulShutdown.Guard deleteDir = shutdown.whileOpen("delete " + dir, () -> Bench.deleteTree(dir));
             GracefulShutdown.Guard stopRedis = shutdown.whileOpen("stop redis-server",
                     () -> Tools.stop(redisServer.get()));
             GracefulShutdown.Guard stopControl = shutdown.whileOpen("stop the control redis-server",
                     () -> Tools.stop(controlServer.get()));
             ChildProcess kv = Spawn.java(List.of(), Ipc4j.class.getName(),
                     List.of("kv", "serve", "--socket=" + kvSocket)).start();
             GracefulShutdown.Guard stopKv = shutdown.whileOpen("stop ipc4j-kv", kv::close)) {
            Tools.awaitSocket(kvSocket, Duration.ofSeconds(30));
            long kvPid = kv.pid();
            System.out.println("redis-server " + (redisProgram == null ? "missing" : "on " + redisSocket));
            Process redis = null;
            if (redisProgram != null) {
                redis = Tools.startRedisServer(redisProgram, redisSocket, dir.resolve("redis.log"));
                redisServer.set(redis);
            } else {
                System.err.println("redis-server is not installed (apt-get install redis-server): ipc4j-kv alone");
            }
            List<Server> servers = new ArrayList<>(List.of(new Server("ipc4j-kv", kvSocket, kvPid)));
            if (redis != null) {
                servers.add(new Server("redis-server", redisSocket, redis.pid()));
                if (control) {
                    Path controlSocket = dir.resolve("control.sock");
                    Process second = Tools.startRedisServer(redisProgram, controlSocket, dir.resolve("control.log"));
                    controlServer.set(second);
                    servers.add(new Server("control", controlSocket, second.pid()));
                }
            }
            // the JIT compiles the pipelined path too; a pipelined run is short (a tenth of a second), so it gets
            // four times the requests, lest its measured rounds include compilation
            System.out.printf(Locale.ROOT, "warming up (%d requests each, %d pipelined; not measured)...%n",
                    requests / 2, requests * 4);
            Map<Integer, List<Map<String, Row>>> warmUps = new HashMap<>();
            for (int depth : new int[] {1, pipeline}) {
                int warmUp = depth == 1 ? requests / 2 : requests * 4;
                List<Map<String, Row>> runs = warmUps.computeIfAbsent(depth, d -> new ArrayList<>());
                for (Server server : servers) {
                    runs.add(bench.run(server.socket(), server.pid(), warmUp, depth));
                }
            }
            ToIntFunction<String> pipelined = bench.lastingAsLong(requests, warmUps.get(1), warmUps.get(pipeline));
            ToIntFunction<String> unpipelined = test -> requests;
            System.out.println("pipelined runs last about as long as unpipelined ones: " + String.join(", ",
                    List.of(tests.split(",")).stream().map(t -> t + " " + pipelined.applyAsInt(t)).toList())
                    + " requests");
            for (int round = 0; round < rounds; round++) {
                for (int depth : new int[] {1, pipeline}) {
                    ToIntFunction<String> sized = depth == 1 ? unpipelined : pipelined;
                    List<Map<String, Row>> thisRound = new ArrayList<>();
                    for (Server server : servers) {
                        Map<String, Row> serverRound = new LinkedHashMap<>();
                        results.computeIfAbsent(server.name() + " P" + depth, k -> new ArrayList<>()).add(serverRound);
                        thisRound.add(serverRound);
                    }
                    List<String> names = bench.tests();
                    for (int t = 0; t < names.size(); t++) {
                        String test = names.get(t);
                        int requests = sized.applyAsInt(test);
                        for (int turn = 0; turn < servers.size(); turn++) { // who goes first moves on each time
                            int s = (round + t + turn) % servers.size();
                            Server server = servers.get(s);
                            thisRound.get(s).putAll(
                                    bench.runTest(server.socket(), server.pid(), test, requests, depth));
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "round %d of %d done%n", round + 1, rounds);
            }
            kv.terminate(); // SIGTERM: it removes its socket file and exits
            kv.waitFor(Duration.ofSeconds(10));
        } finally {
            Tools.stop(redisServer.get());
            Tools.stop(controlServer.get());
            Bench.deleteTree(dir);
        }
        print(results);
        return 0;
    }

    private void print(Map<String, List<Map<String, Row>>> results) {
        System.out.printf(Locale.ROOT, "ipc4j kv bench, %s, %d CPUs, redis-benchmark -c %d -n %d (pipelined:"
                        + " as long a run) over Unix sockets, median of %d interleaved rounds%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), clients, requests, rounds);
        for (int depth : new int[] {1, pipeline}) {
            List<Map<String, Row>> kv = results.get("ipc4j-kv P" + depth);
            List<Map<String, Row>> redis = results.getOrDefault("redis-server P" + depth, List.of());
            System.out.printf(Locale.ROOT, "%npipeline %d%n  %-16s %12s %7s %7s %7s %12s %7s %7s %7s %8s %11s%n",
                    depth, "test", "kv ops/s", "p50 ms", "p99 ms", "cpu us", "redis ops/s", "p50 ms", "p99 ms",
                    "cpu us", "kv/redis", "(range)");
            int compared = 0;
            int atOrAbove = 0;
            int p99NoHigher = 0;
            for (String test : kv.getFirst().keySet()) {
                System.out.printf(Locale.ROOT, "  %-16s %,12.0f %7.3f %7.3f %7.2f", test, median(kv, test, Row::rps),
                        median(kv, test, Row::p50), median(kv, test, Row::p99), median(kv, test, Row::cpuMicros));
                if (redis.isEmpty() || !redis.getFirst().containsKey(test)) {
                    System.out.printf(Locale.ROOT, " %12s %7s %7s %7s %8s%n", "-", "-", "-", "-", "-");
                    continue;
                }
                Rounds.Ratios ratios = rateRatios(kv, redis, test);
                System.out.printf(Locale.ROOT, " %,12.0f %7.3f %7.3f %7.2f %8.2f %11s%n", median(redis, test, Row::rps),
                        median(redis, test, Row::p50), median(redis, test, Row::p99),
                        median(redis, test, Row::cpuMicros), ratios.median(),
                        String.format(Locale.ROOT, "(%.2f-%.2f)", ratios.min(), ratios.max()));
                compared++;
                atOrAbove += ratios.median() >= 1 ? 1 : 0;
                p99NoHigher += median(kv, test, Row::p99) <= median(redis, test, Row::p99) ? 1 : 0;
            }
            if (compared > 0) {
                System.out.printf(Locale.ROOT, "  ipc4j-kv at or above redis-server in %d of %d tests (median ratio),"
                        + " p99 no higher in %d of %d%n", atOrAbove, compared, p99NoHigher, compared);
            }
            List<Map<String, Row>> second = results.get("control P" + depth);
            if (second != null && !redis.isEmpty()) {
                printControl(second, redis);
            }
        }
    }

    /** The second redis-server against the first, reckoned as kv against redis-server is. */
    private static void printControl(List<Map<String, Row>> second, List<Map<String, Row>> redis) {
        int compared = 0;
        int atOrAbove = 0;
        int p99NoHigher = 0;
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        double lowestP99 = Double.MAX_VALUE;
        double highestP99 = 0;
        for (String test : redis.getFirst().keySet()) {
            double ratio = rateRatios(second, redis, test).median();
            double p99 = median(second, test, Row::p99) / median(redis, test, Row::p99);
            compared++;
            atOrAbove += ratio >= 1 ? 1 : 0;
            p99NoHigher += p99 <= 1 ? 1 : 0;
            lowest = Math.min(lowest, ratio);
            highest = Math.max(highest, ratio);
            lowestP99 = Math.min(lowestP99, p99);
            highestP99 = Math.max(highestP99, p99);
        }
        System.out.printf(Locale.ROOT, "  control: a second redis-server at or above the first in %d of %d tests"
                        + " (median ratios %.2f-%.2f), p99 no higher in %d of %d (p99 ratios %.2f-%.2f)%n", atOrAbove,
                compared, lowest, highest, p99NoHigher, compared, lowestP99, highestP99);
    }

    /** The rounds' ratios of one server's rate to another's in {@code test}, round by round. */
    private static Rounds.Ratios rateRatios(List<Map<String, Row>> server, List<Map<String, Row>> reference,
            String test) {
        return Rounds.ratios(Math.min(server.size(), reference.size()), i -> server.get(i).get(test).rps(),
                i -> reference.get(i).get(test).rps());
    }

    private static double median(List<Map<String, Row>> rounds, String test, ToDoubleFunction<Row> figure) {
        return Rounds.median(rounds.stream().mapToDouble(r -> figure.applyAsDouble(r.get(test))).toArray());
    }
}
