package io.ipc4j.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The report as a terminal table, JSON, CSV, and a comparison with an earlier run. */
public final class Report {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private Report() {
    }

    /** The aligned table: one section per size, sorted by median latency, Java next to C. */
    public static String table(BenchReport report) {
        StringBuilder out = new StringBuilder();
        out.append("ipc4j bench, ").append(report.date()).append(", ").append(report.machine()).append('\n')
                .append(report.java()).append("; C reference: ").append(report.cReference()).append('\n')
                .append("Round trip between two processes (latency in microseconds, warm-up excluded; ")
                .append(report.config().iterations()).append(" round trips per row; rows that spin on shared memory ")
                .append(Mechanism.SPINNING_PLAN_SCALE).append(" times as many up to ")
                .append(formatSize(Plan.SCALED_UP_TO)).append(", fewer above) and one-way streaming.\n")
                .append(report.config().rounds() > 1 ? "Java and C alternate in " + report.config().rounds()
                        + " rounds per mechanism; each figure is the median of the rounds' (max: the largest).\n" : "")
                .append(report.config().pin() ? "Each side's measuring thread pinned to a CPU of its own (0 and 1).\n"
                        : "Unpinned: the scheduler may put both processes on one CPU (fast wake-ups) or on two (slow "
                        + "ones), so runs and the Java/C ratio vary; --pin fixes that.\n");
        for (int size : sizes(report)) {
            out.append('\n').append(size == 0 ? "Wake-up primitives (no payload)" : formatSize(size) + " messages")
                    .append('\n');
            out.append(String.format(Locale.ROOT, "  %-37s %8s %8s %8s %8s %11s %9s %8s %7s %11s %7s%n", "mechanism",
                    "p50", "p99", "p99.9", "max", "msgs/s", "MB/s", "C p50", "Java/C", "C msgs/s", "Java/C"));
            for (Results.Row row : sorted(report, size)) {
                Optional<Results.Row> c = find(report, row.mechanism(), "C", size);
                out.append(line(row, c.orElse(null)));
            }
        }
        List<Results.Row> skipped = report.rows().stream().filter(r -> !r.ok()).toList();
        if (!skipped.isEmpty()) {
            out.append("\nNot measured\n");
            for (Results.Row r : skipped) {
                out.append("  ").append(r.title()).append(r.size() > 0 ? " at " + formatSize(r.size()) : "")
                        .append(r.implementation().equals("C") ? " (C reference)" : "").append(": ")
                        .append(r.status().equals("unavailable") ? "not available: " : r.status() + ": ")
                        .append(r.note()).append('\n');
            }
        }
        return out.toString();
    }

    private static String line(Results.Row row, Results.Row c) {
        Results.Latency l = row.latency();
        Results.Throughput t = row.throughput();
        boolean withC = c != null && c.ok();
        Results.Throughput ct = withC ? c.throughput() : null;
        return String.format(Locale.ROOT, "  %-37s %8s %8s %8s %8s %11s %9s %8s %7s %11s %7s%n", row.title(),
                micros(l.p50()), micros(l.p99()), micros(l.p999()), micros(l.max()), rate(t),
                t == null ? "-" : String.format(Locale.ROOT, "%.1f", t.megabytesPerSecond()),
                withC ? micros(c.latency().p50()) : "-",
                withC ? ratio((double) l.p50() / c.latency().p50()) : "-", rate(ct),
                t != null && ct != null ? ratio(t.messagesPerSecond() / ct.messagesPerSecond()) : "-");
    }

    private static String rate(Results.Throughput t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%,.0f", t.messagesPerSecond());
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static List<Integer> sizes(BenchReport report) {
        List<Integer> sizes = new ArrayList<>(report.rows().stream().filter(Results.Row::ok).map(Results.Row::size)
                .distinct().sorted().toList());
        if (sizes.remove(Integer.valueOf(0))) {
            sizes.add(0);
        }
        return sizes;
    }

    static List<Results.Row> sorted(BenchReport report, int size) {
        return report.rows().stream().filter(r -> r.ok() && r.size() == size && r.implementation().equals("ipc4j"))
                .sorted(Comparator.comparingLong(r -> r.latency().p50())).toList();
    }

    static Optional<Results.Row> find(BenchReport report, String mechanism, String implementation, int size) {
        return report.rows().stream().filter(r -> r.mechanism().equals(mechanism)
                && r.implementation().equals(implementation) && r.size() == size).findFirst();
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, nanos < 10_000 ? "%.2f" : "%.1f", nanos / 1000.0);
    }

    static String formatSize(int bytes) {
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    public static String json(BenchReport report) {
        return GSON.toJson(report);
    }

    public static BenchReport readJson(Path path) throws IOException {
        BenchReport report;
        try {
            report = GSON.fromJson(Files.readString(path), BenchReport.class);
        } catch (com.google.gson.JsonParseException | IllegalStateException e) {
            report = null;
        }
        if (report == null || report.rows() == null) {
            throw new IOException(path + " is not a bench.json written by ipc4j bench: give the bench.json of an"
                    + " earlier run, or the latest.json beside its folder");
        }
        return report;
    }

    public static String csv(BenchReport report) {
        StringBuilder out = new StringBuilder("mechanism,implementation,size,status,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,"
                + "round_trips,messages_per_s,mb_per_s,note\n");
        for (Results.Row r : report.rows()) {
            Results.Latency l = r.latency();
            Results.Throughput t = r.throughput();
            out.append(String.join(",", r.mechanism(), r.implementation(), String.valueOf(r.size()), r.status(),
                    l == null ? "" : String.valueOf(l.p50()), l == null ? "" : String.valueOf(l.p90()),
                    l == null ? "" : String.valueOf(l.p99()), l == null ? "" : String.valueOf(l.p999()),
                    l == null ? "" : String.valueOf(l.max()), l == null ? "" : String.valueOf(l.count()),
                    t == null ? "" : String.format(Locale.ROOT, "%.0f", t.messagesPerSecond()),
                    t == null ? "" : String.format(Locale.ROOT, "%.2f", t.megabytesPerSecond()),
                    r.note() == null ? "" : '"' + r.note().replace("\"", "\"\"") + '"')).append('\n');
        }
        return out.toString();
    }

    /** What changed since {@code before}: median latency and throughput, per mechanism and size. */
    public static String compare(BenchReport now, BenchReport before) {
        StringBuilder out = new StringBuilder("Compared with the run of " + before.date() + " (" + before.machine()
                + ")\n");
        out.append(String.format(Locale.ROOT, "  %-37s %8s %10s %10s %8s %12s%n", "mechanism", "size", "p50 before",
                "p50 now", "change", "msgs/s chg"));
        Map<String, Results.Row> old = new LinkedHashMap<>();
        before.rows().stream().filter(Results.Row::ok).forEach(r -> old.put(key(r), r));
        for (Results.Row r : now.rows()) {
            Results.Row b = old.get(key(r));
            if (!r.ok() || b == null || !r.implementation().equals("ipc4j")) {
                continue;
            }
            String tput = r.throughput() == null || b.throughput() == null ? "-" : percent(
                    r.throughput().messagesPerSecond() / b.throughput().messagesPerSecond());
            out.append(String.format(Locale.ROOT, "  %-37s %8s %10s %10s %8s %12s%n", r.title(),
                    r.size() == 0 ? "-" : formatSize(r.size()), micros(b.latency().p50()), micros(r.latency().p50()),
                    percent((double) r.latency().p50() / b.latency().p50()), tput));
        }
        return out.toString();
    }

    private static String key(Results.Row r) {
        return r.mechanism() + "/" + r.implementation() + "/" + r.size();
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%+.0f%%", (ratio - 1) * 100);
    }

    /**
     * Writes bench.json, bench.csv and latency.png (when a row has a latency to draw) into {@code directory};
     * returns the files.
     */
    public static List<Path> write(BenchReport report, Path directory) throws IOException {
        Files.createDirectory(directory); // one level, under a results folder the caller checked
        Path json = Files.writeString(directory.resolve("bench.json"), json(report), StandardCharsets.UTF_8);
        Path csv = Files.writeString(directory.resolve("bench.csv"), csv(report), StandardCharsets.UTF_8);
        Optional<Path> png = Chart.write(report, directory.resolve("latency.png"));
        return png.isPresent() ? List.of(json, csv, png.get()) : List.of(json, csv);
    }
}
