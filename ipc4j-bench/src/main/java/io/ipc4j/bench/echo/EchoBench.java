package io.ipc4j.bench.echo;

import io.ipc4j.bench.Bench;
import io.ipc4j.inspect.ProcessCpu;
import io.ipc4j.bench.Rounds;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.Affinity;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ipc4j bench echo}: the same echo server on ipc4j's EventLoop, on netty's epoll transport and on the
 * JDK's Selector, each in a process of its own, driven in turns by the same client at each connection count;
 * requests per second and p50/p99 latency, and each one's ratio to netty.
 *
 * <p>With two or more CPUs the server's thread is pinned to CPU 1 and the client's to CPU 0, so that the two do
 * not take turns on one CPU. Rounds interleave the three servers (in a rotating order) so that the machine's
 * drift falls on all of them alike; each result is the sum of its rounds, and beside it the median and range of
 * the rounds' ratios to netty (one round against the netty run of the same round), since one stalled round of a
 * shared machine weighs on a sum.
 */
public final class EchoBench {
    /** What to run. */
    public record Config(List<Integer> connections, Duration warmup, Duration measure, int rounds) {
        public static Config defaults() {
            return new Config(List.of(1, 50, 1000), Duration.ofSeconds(1), Duration.ofSeconds(3), 3);
        }
    }

    /** One server at one connection count, over every round; {@code roundRates} in round order. */
    public record Result(String server, int connections, double requestsPerSecond, long p50Nanos, long p99Nanos,
                         double serverCpuMicrosPerRequest, List<Double> roundRates) {
    }

    /** INT, TERM or HUP skip finally blocks: the servers and the socket directory go through this too. */
    private final GracefulShutdown shutdown = GracefulShutdown.install();
    private final Config config;
    private final PrintStream out;

    public EchoBench(Config config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    @SuppressWarnings("try") // the guard only needs closing
    public List<Result> run() throws IOException, InterruptedException {
        boolean pin = Affinity.processCpuCount() >= 2;
        if (pin) {
            Affinity.pinCurrentThread(0);
        }
        Map<String, Histogram> latency = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, List<Double>> roundRates = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("ipc4j-bench-echo-");
        try (GracefulShutdown.Guard deleteDir = shutdown.whileOpen("delete " + dir, () -> Bench.deleteTree(dir))) {
            for (int round = 0; round < config.rounds(); round++) {
                for (int connections : config.connections()) {
                    for (int i = 0; i < Servers.NAMES.size(); i++) {
                        String server = Servers.NAMES.get((i + round) % Servers.NAMES.size());
                        String key = server + "/" + connections;
                        Measured m = measure(server, connections, dir.resolve(key.replace('/', '-') + ".sock"),
                                pin);
                        latency.computeIfAbsent(key, k -> new Histogram(TimeUnit.SECONDS.toNanos(10), 3))
                                .add(m.latency());
                        long[] c = counts.computeIfAbsent(key, k -> new long[3]);
                        c[0] += m.completed();
                        c[1] += m.nanos();
                        c[2] += m.serverCpuNanos();
                        roundRates.computeIfAbsent(key, k -> new java.util.ArrayList<>())
                                .add(m.completed() * 1e9 / m.nanos());
                        out.printf("round %d: %-5s %5d connections %,12.0f requests/s, server CPU %.2f us/request%n",
                                round + 1, server, connections, m.completed() * 1e9 / m.nanos(),
                                m.serverCpuNanos() / 1e3 / m.completed());
                    }
                }
            }
        } finally {
            Bench.deleteTree(dir);
        }
        return results(latency, counts, roundRates);
    }

    private List<Result> results(Map<String, Histogram> latency, Map<String, long[]> counts,
                                 Map<String, List<Double>> roundRates) {
        return latency.entrySet().stream().map(e -> {
            String[] key = e.getKey().split("/");
            long[] c = counts.get(e.getKey());
            Histogram h = e.getValue();
            return new Result(key[0], Integer.parseInt(key[1]), c[0] * 1e9 / c[1], h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99), c[2] / 1e3 / c[0], List.copyOf(roundRates.get(e.getKey())));
        }).sorted(java.util.Comparator.comparingInt(Result::connections)
                .thenComparing(r -> Servers.NAMES.indexOf(r.server()))).toList();
    }

    private record Measured(Histogram latency, long completed, long nanos, long serverCpuNanos) {
    }

    @SuppressWarnings("try") // the child only has to live while the client runs
    private Measured measure(String server, int connections, Path socket, boolean pin)
            throws IOException, InterruptedException {
        try (Pipe ready = Pipe.open();
             ChildProcess child = Spawn.java(List.of("-XX:+UseSerialGC", "-Xshare:auto"),
                     EchoServer.class.getName(), List.of(server, socket.toString(), pin ? "1" : "-1"))
                     .stdout(ready.writer()).start();
             GracefulShutdown.Guard stopChild = shutdown.whileOpen("stop the " + server + " echo server",
                     child::close)) {
            ready.writer().close();
            BufferedReader lines = new BufferedReader(new InputStreamReader(
                    ready.reader().inputStream(Duration.ofSeconds(60)), StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (!"listening".equals(line)) {
                throw new IOException("the " + server + " echo server did not start: " + line);
            }
            try (EchoClient client = new EchoClient(socket, connections)) {
                long[] cpuAtStart = new long[1];
                long nanos = client.run(config.warmup().toNanos(), config.measure().toNanos(),
                        () -> cpuAtStart[0] = ProcessCpu.nanos(child.pid()));
                long serverCpu = ProcessCpu.nanos(child.pid()) - cpuAtStart[0];
                return new Measured(client.latency(), client.completed(), nanos, serverCpu);
            } finally {
                Files.deleteIfExists(socket);
            }
        }
    }

    /** The results as a table, with each server's ratio to netty at the same connection count. */
    public static void print(List<Result> results, PrintStream out) {
        out.printf("%n%-6s %11s %14s %10s %10s %9s %16s %9s %22s%n", "server", "connections", "requests/s",
                "p50 us", "p99 us", "vs netty", "server CPU us/req", "vs netty", "rounds vs netty");
        for (Result r : results) {
            Result netty = results.stream().filter(n -> n.server().equals("netty")
                    && n.connections() == r.connections()).findFirst().orElse(r);
            Rounds.Ratios ratios = Rounds.ratios(Math.min(r.roundRates().size(), netty.roundRates().size()),
                    i -> r.roundRates().get(i), i -> netty.roundRates().get(i));
            out.printf("%-6s %11d %,14.0f %10.1f %10.1f %8.2fx %16.2f %8.2fx %22s%n", r.server(), r.connections(),
                    r.requestsPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3,
                    r.requestsPerSecond() / netty.requestsPerSecond(), r.serverCpuMicrosPerRequest(),
                    r.serverCpuMicrosPerRequest() / netty.serverCpuMicrosPerRequest(), String.format(
                            java.util.Locale.ROOT, "%.2fx (%.2f-%.2f)", ratios.median(), ratios.min(),
                            ratios.max()));
        }
    }


    public static void main(String[] args) throws Exception {
        List<Result> results = new EchoBench(Config.defaults(), System.out).run();
        print(results, System.out);
    }
}
