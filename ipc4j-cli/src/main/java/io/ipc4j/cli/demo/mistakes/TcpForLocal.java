package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.bench.Bench;
import io.ipc4j.bench.BenchConfig;
import io.ipc4j.bench.BenchReport;
import io.ipc4j.bench.Results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** 5. TCP loopback where a Unix socket would do: measured there and then with the bench's exchange. */
final class TcpForLocal implements Mistake {
    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String title() {
        return "TCP for local IPC";
    }

    @Override
    public String explanation() {
        return "Between processes on one machine, TCP still runs the whole network stack: checksums, "
                + "congestion control, loopback routing. A Unix domain socket carries the same byte stream "
                + "without it. The same 64-byte round trip between two processes, 3,000 times each way, measured now, "
                + "with the kernel's count of TCP segments sent meanwhile (every TCP message is at least one):";
    }

    @Override
    public Outcome run() throws IOException {
        long before = tcpSegmentsSent();
        Results.Row tcp = measure("tcp");
        long duringTcp = tcpSegmentsSent() - before;
        Results.Row unix = measure("unix-stream");
        long duringUnix = tcpSegmentsSent() - before - duringTcp;
        Outcome outcome = Outcome.of();
        // the cause, counted by the kernel (timings on a shared machine vary; these counts do not)
        outcome.wrong().put("TCP segments sent during the TCP run", duringTcp);
        outcome.right().put("TCP segments sent during the Unix socket run", duringUnix);
        outcome.wrong().put("TCP loopback p50/p99 us", micros(tcp.latency().p50()) + " / " + micros(tcp.latency().p99()));
        outcome.wrong().put("TCP messages/s", String.format(Locale.ROOT, "%,.0f", tcp.throughput().messagesPerSecond()));
        outcome.right().put("Unix socket p50/p99 us", micros(unix.latency().p50()) + " / "
                + micros(unix.latency().p99()));
        outcome.right().put("Unix messages/s", String.format(Locale.ROOT, "%,.0f", unix.throughput().messagesPerSecond()));
        outcome.right().put("TCP/Unix p50", String.format(Locale.ROOT, "%.2f",
                (double) tcp.latency().p50() / unix.latency().p50()));
        outcome.right().put("Unix/TCP messages/s", String.format(Locale.ROOT, "%.2f",
                unix.throughput().messagesPerSecond() / tcp.throughput().messagesPerSecond()));
        return outcome;
    }

    /** Round trips measured per run (a warm-up of 300 comes before them). */
    static final int ROUND_TRIPS = 3_000;

    private static Results.Row measure(String id) throws IOException {
        BenchConfig config = BenchConfig.defaults().withOnly(Set.of(id)).withSizes(List.of(64))
                .withIterations(300, ROUND_TRIPS).withStream(1 << 20, 5_000).withCReference(false);
        return row(Bench.run(config, (done, total, label) -> { }), id);
    }

    /** The kernel's count of TCP segments sent (OutSegs in /proc/net/snmp), across this network namespace. */
    static long tcpSegmentsSent() throws IOException {
        List<String> tcp = Files.readAllLines(Path.of("/proc/net/snmp")).stream()
                .filter(line -> line.startsWith("Tcp:")).toList();
        List<String> names = List.of(tcp.get(0).split(" "));
        return Long.parseLong(tcp.get(1).split(" ")[names.indexOf("OutSegs")]);
    }

    private static Results.Row row(BenchReport report, String id) throws IOException {
        return report.rows().stream().filter(r -> r.mechanism().equals(id) && r.ok()).findFirst()
                .orElseThrow(() -> new IOException(id + " could not be measured: " + report.rows()));
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }
}
