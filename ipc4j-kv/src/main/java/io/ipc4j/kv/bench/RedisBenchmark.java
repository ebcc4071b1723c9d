package io.ipc4j.kv.bench;

import io.ipc4j.inspect.ProcessCpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * ipc4j-kv's own benchmark step: redis-benchmark (from redis-tools) against a server on a Unix socket, one run per
 * test so that each test's server CPU time is its own. It measures ipc4j-kv and redis-server alike;
 * {@code ipc4j kv bench} starts both, alternates them over rounds and prints the medians.
 */
public final class RedisBenchmark {
    /**
     * One redis-benchmark CSV row, and the server's CPU time per request over the run that made it.
     *
     * @param test      the test's name, as redis-benchmark prints it (PING_INLINE, SET, ...)
     * @param rps       requests per second
     * @param p50       median latency, ms
     * @param p99       99th percentile latency, ms
     * @param cpuMicros the server's CPU time per request, µs
     */
    public record Row(String test, double rps, double p50, double p99, double cpuMicros) {
    }

    private final String program;
    private final int clients;
    private final List<String> tests;
    /** Each test (-t) and the rows it printed (ping prints two, lrange five). */
    private final Map<String, List<String>> rowsOf = new HashMap<>();

    /**
     * A benchmark of {@code tests} with {@code clients} parallel connections.
     *
     * @param program the redis-benchmark executable
     * @param clients parallel connections (-c)
     * @param tests   the tests (-t), such as ping, set, get
     */
    public RedisBenchmark(String program, int clients, List<String> tests) {
        this.program = program;
        this.clients = clients;
        this.tests = List.copyOf(tests);
    }

    /**
     * Runs every test against the server on {@code socket}.
     *
     * @param socket    the server's Unix socket
     * @param serverPid its pid, for its CPU time
     * @param requests  requests per test (-n)
     * @param depth     pipeline depth (-P)
     * @return the rows by test name, in redis-benchmark's order
     * @throws IOException if redis-benchmark fails (its output is in the message)
     * @throws InterruptedException if interrupted while it runs
     */
    public Map<String, Row> run(Path socket, long serverPid, int requests, int depth)
            throws IOException, InterruptedException {
        return run(socket, serverPid, test -> requests, depth);
    }

    /**
     * As {@link #run(Path, long, int, int)}, with each test's own number of requests.
     *
     * @param socket    the server's Unix socket
     * @param serverPid its pid, for its CPU time
     * @param requestsOf requests (-n) for each test, by its -t name
     * @param depth      pipeline depth (-P)
     * @return the rows by test name, in redis-benchmark's order
     * @throws IOException if redis-benchmark fails (its output is in the message)
     * @throws InterruptedException if interrupted while it runs
     */
    public Map<String, Row> run(Path socket, long serverPid, ToIntFunction<String> requestsOf, int depth)
            throws IOException, InterruptedException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String test : tests) {
            rows.putAll(runTest(socket, serverPid, test, requestsOf.applyAsInt(test), depth));
        }
        return rows;
    }

    /**
     * Runs one test (-t) against the server on {@code socket}.
     *
     * @param socket    the server's Unix socket
     * @param serverPid its pid, for its CPU time
     * @param test      the test, such as ping, set, lrange
     * @param requests  requests (-n)
     * @param depth     pipeline depth (-P)
     * @return the rows it printed (ping prints two, lrange five), by name, in redis-benchmark's order
     * @throws IOException if redis-benchmark fails (its output is in the message)
     * @throws InterruptedException if interrupted while it runs
     */
    public Map<String, Row> runTest(Path socket, long serverPid, String test, int requests, int depth)
            throws IOException, InterruptedException {
        List<String> command = List.of(program, "-s", socket.toString(), "-n", String.valueOf(requests), "-c",
                String.valueOf(clients), "-P", String.valueOf(depth), "-t", test.strip(), "--csv");
        long cpuBefore = ProcessCpu.nanos(serverPid);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        List<String[]> found = out.lines().filter(l -> l.startsWith("\"") && !l.startsWith("\"test\""))
                .map(l -> l.replace("\"", "").split(",")).filter(f -> f.length >= 7).toList();
        double cpuMicros = (ProcessCpu.nanos(serverPid) - cpuBefore) / 1e3 / ((double) requests * found.size());
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String[] f : found) { // "ping" runs two tests, PING_INLINE and PING_MBULK: the CPU is their mean
            rows.put(f[0], new Row(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[6]), cpuMicros));
        }
        rowsOf.put(test, found.stream().map(f -> f[0]).toList());
        return rows;
    }

    /**
     * The tests, in the order they run.
     *
     * @return their -t names
     */
    public List<String> tests() {
        return tests;
    }

    /**
     * Requests per test for pipelined runs that last about as long as the unpipelined runs of {@code requests}:
     * {@code requests} times the ratio of the test's slowest pipelined rate to its slowest unpipelined rate in
     * the given runs (warm-ups, of every server), never fewer than {@code requests} nor more than 64 times as
     * many. At 16 deep a GET is served ~15 times as fast, so a pipelined run of as many requests lasts a
     * fifteenth as long: 50 ms for 100,000, too short to measure on a small shared machine.
     *
     * @param requests    the unpipelined runs' requests per test
     * @param unpipelined runs at depth 1, of each server
     * @param pipelined   runs at the pipelined depth, of each server
     * @return requests per test, by its -t name
     */
    public ToIntFunction<String> lastingAsLong(int requests, List<Map<String, Row>> unpipelined,
                                               List<Map<String, Row>> pipelined) {
        Map<String, Integer> sized = new HashMap<>();
        for (String test : tests) {
            double scale = slowest(test, pipelined) / slowest(test, unpipelined);
            long n = Math.round(requests * Math.min(64, Math.max(1, scale)));
            sized.put(test, (int) Math.min(Integer.MAX_VALUE, n));
        }
        return test -> sized.getOrDefault(test, requests);
    }

    private double slowest(String test, List<Map<String, Row>> runs) {
        return runs.stream().flatMap(r -> rowsOf.getOrDefault(test, List.of()).stream().map(r::get))
                .filter(java.util.Objects::nonNull).mapToDouble(Row::rps).min().orElse(1);
    }
}
