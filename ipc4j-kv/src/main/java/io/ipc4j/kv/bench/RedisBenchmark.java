package io.ipc4j.kv.bench;

import io.ipc4j.inspect.ProcessCpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String test : tests) {
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
            for (String[] f : found) { // "ping" runs two tests, PING_INLINE and PING_MBULK: the CPU is their mean
                rows.put(f[0], new Row(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[6]), cpuMicros));
            }
        }
        return rows;
    }
}
