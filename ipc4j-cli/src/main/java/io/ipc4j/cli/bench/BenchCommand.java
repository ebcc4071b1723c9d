package io.ipc4j.cli.bench;

import io.ipc4j.bench.Bench;
import io.ipc4j.bench.BenchConfig;
import io.ipc4j.bench.BenchReport;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.bench.Paired;
import io.ipc4j.bench.Report;
import io.ipc4j.bench.mechanisms.Mechanisms;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ipc4j bench}: every mechanism, two processes, next to C. The work is in ipc4j-bench. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = EchoCommand.class,
        description = {"Measure every IPC mechanism between two processes on this machine, next to a C program "
                + "doing the same exchange: round-trip latency percentiles and one-way throughput.",
            "Writes bench.json, bench.csv and latency.png to a folder under --out."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--only", split = ",", paramLabel = "ID",
            description = "Only these mechanisms (ids: ${COMPLETION-CANDIDATES}).", completionCandidates = Ids.class)
    List<String> only;
    @Option(names = "--sizes", converter = Ranges.MessageSize.class, split = ",", paramLabel = "BYTES", description = "Message sizes (default 64,4096,65536).")
    List<Integer> sizes;
    @Option(names = "--iterations", converter = Ranges.Positive.class, description = "Measured round trips per size, over all the rounds (default 6000; --full 100000).")
    Integer iterations;
    @Option(names = "--warmup", converter = Ranges.NonNegative.class, description = "Round trips before measuring the first size (default 10000, long enough for the JIT); a quarter before each later size, a twentieth in later rounds.")
    Integer warmup;
    @Option(names = "--full", description = "Ten times longer, for steadier tails.")
    boolean full;
    @Option(names = "--pin", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Pin each side's measuring thread to a CPU of its own (0 and 1), so that runs, and Java "
                    + "against C, compare (default on with two CPUs; --no-pin lets the scheduler place them).")
    boolean pin;
    @Option(names = "--no-c", description = "Skip the C reference.")
    boolean noC;
    @Option(names = "--rounds", converter = Ranges.Positive.class, description = "Rounds Java and C alternate in, "
            + "per mechanism (default 3): the round trips and streams are split between them, the Java child stays up "
            + "meanwhile, and each figure is the median of the rounds', so that a machine's drift moves both sides.")
    Integer rounds;
    @Option(names = "--out", defaultValue = "results", description = "Folder for results (default ./results).")
    Path out;
    @Option(names = "--compare", paramLabel = "FILE", description = "A bench.json of an earlier run to compare with.")
    Path compare;
    @Option(names = "--paired", split = ",", paramLabel = "ID", arity = "1",
            description = "Two mechanisms (e.g. shm-channel-spin,agrona-ring) streaming in turns between the same two "
                    + "processes: their throughput ratio, free of the machine's drift between runs.")
    List<String> paired;
    @Option(names = "--turns", converter = Ranges.Positive.class, defaultValue = "16", description = "Counted turns of each for --paired (default 16).")
    int turns;

    @Override
    public Integer call() throws IOException {
        BenchConfig config = full ? BenchConfig.full() : BenchConfig.defaults();
        if (sizes != null) {
            config = config.withSizes(sizes);
        }
        if (iterations != null || warmup != null) {
            config = config.withIterations(warmup == null ? config.warmup() : warmup,
                    iterations == null ? config.iterations() : iterations);
        }
        if (rounds != null) {
            config = config.withRounds(rounds);
        }
        if (paired != null) {
            return runPaired(config.withPin(pin && BenchConfig.canPin()));
        }
        if (only != null) {
            only.forEach(BenchCommand::mechanism); // each must exist
            config = config.withOnly(Set.copyOf(only));
        }
        checkOut(out);
        if (compare != null && !Files.isRegularFile(compare)) {
            throw new IllegalArgumentException("--compare " + compare + ": no such file. Give the bench.json of an"
                    + " earlier run, or " + out.resolve("latest.json") + " (written by every run)");
        }
        BenchReport previous = compare == null ? null : Report.readJson(compare);
        BenchReport report = Bench.run(config.withPin(pin && BenchConfig.canPin()).withCReference(!noC),
                new ProgressBar(System.err));
        System.out.print(Report.table(report));
        if (previous != null) {
            System.out.println();
            System.out.print(Report.compare(report, previous));
        }
        Path folder = out.resolve("bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<Path> files = Report.write(report, folder);
        Files.writeString(out.resolve("latest.json"), Report.json(report));
        System.out.println();
        System.out.println("Results: " + String.join(", ", files.stream().map(Path::toString).toList())
                + " (and " + out.resolve("latest.json") + ", for --compare)");
        return report.rows().stream().anyMatch(r -> r.status().equals("failed")) ? 1 : 0;
    }

    /**
     * Before the run, not after it: {@code out} must be a folder, or its parent must exist (only the last level
     * is created: a mistyped path must not make a tree).
     */
    private static void checkOut(Path out) throws IOException {
        if (Files.isDirectory(out)) {
            return;
        }
        if (Files.exists(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder: give a folder for the"
                    + " results (it is created if its parent exists)");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("--out " + out + ": its parent " + parent + " does not exist. Create it"
                    + " first (mkdir -p " + parent + "); only the results folder itself is created");
        }
        Files.createDirectory(out);
    }

    private Integer runPaired(BenchConfig config) throws IOException {
        if (paired.size() != 2 || paired.get(0).equals(paired.get(1))) {
            throw new IllegalArgumentException("--paired takes two different mechanism ids, e.g. "
                    + "--paired shm-channel-spin,agrona-ring");
        }
        if (turns < 1) {
            throw new IllegalArgumentException("--turns must be 1 or more");
        }
        Mechanism first = mechanism(paired.get(0));
        Mechanism second = mechanism(paired.get(1));
        Paired.check(first, second, config.sizes());
        System.err.println("streaming " + first.id() + " and " + second.id() + " in turns, " + Paired.WARMUP_TURNS
                + " warm-up and " + turns + " counted turns each per size...");
        List<Paired.SizeResult> results = Paired.run(first, second, config.sizes(), turns, config);
        System.out.println("Paired streams, " + first.title() + " (A) and " + second.title() + " (B), taking turns "
                + "between the same two processes" + (config.pin() ? ", each side pinned" : "") + "; "
                + turns + " counted turns per size.");
        System.out.printf("%8s %10s %16s %16s %10s %18s%n", "size", "messages", "A msgs/s", "B msgs/s", "A/B",
                "A/B quartiles");
        for (Paired.SizeResult r : results) {
            System.out.printf("%8s %,10d %,16.0f %,16.0f %10.2f %8.2f - %-8.2f%n", r.size() + " B", r.messages(),
                    r.medianFirst(), r.medianSecond(), r.ratio(0.5), r.ratio(0.25), r.ratio(0.75));
        }
        return 0;
    }

    private static Mechanism mechanism(String id) {
        return Mechanisms.byId(id).orElseThrow(() -> new IllegalArgumentException("no mechanism '" + id
                + "': choose from " + String.join(", ", new Ids())));
    }

    /** The mechanism ids, for --only's help and check. */
    static final class Ids extends java.util.ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Ids() {
            super(Mechanisms.all().stream().map(io.ipc4j.bench.Mechanism::id).toList());
        }
    }

    /** A progress bar on a terminal; a line per step otherwise (logs, CI). */
    static final class ProgressBar implements Bench.Progress {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private final boolean terminal = System.console() != null;

        ProgressBar(PrintStream out) {
            this.out = out;
        }

        @Override
        public void step(int done, int total, String label) {
            if (terminal) {
                int filled = total == 0 ? WIDTH : done * WIDTH / total;
                out.printf("\r[%s%s] %2d/%d %-40s", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, label);
                if (done == total) {
                    out.print("\r" + " ".repeat(WIDTH + 50) + "\r");
                }
            } else if (done < total) {
                out.printf("[%d/%d] %s%n", done + 1, total, label);
            }
            out.flush();
        }
    }
}
