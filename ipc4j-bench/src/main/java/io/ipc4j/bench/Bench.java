package io.ipc4j.bench;

import io.ipc4j.bench.mechanisms.Mechanisms;
import io.ipc4j.process.Affinity;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the suite: each mechanism between this process and a child JVM, each size, then the C reference for
 * the same exchange. A mechanism that fails or hangs is reported as failed and the suite goes on.
 */
public final class Bench {
    private static final Duration MECHANISM_DEADLINE = Duration.ofMinutes(3);
    /** The child JVMs' options (Paired's too); Agrona (the reference ring buffer) reaches into jdk.internal.misc. */
    static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xshare:auto",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");

    /** Told before each step. */
    @FunctionalInterface
    public interface Progress {
        void step(int done, int total, String label);
    }

    private final BenchConfig config;
    private final Progress progress;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ipc4j-bench-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Bench(BenchConfig config, Progress progress) {
        this.config = config;
        this.progress = progress;
    }

    /** Runs the suite as configured. */
    public static BenchReport run(BenchConfig config, Progress progress) throws IOException {
        Bench bench = new Bench(config, progress);
        try {
            return bench.runAll();
        } finally {
            bench.watchdog.shutdownNow();
        }
    }

    @SuppressWarnings("try") // the guards only need closing
    private BenchReport runAll() throws IOException {
        List<Mechanism> selected = Mechanisms.all().stream()
                .filter(m -> config.only().isEmpty() || config.only().contains(m.id())).toList();
        CReference c = config.cReference() ? CReference.prepare() : null;
        // Read before pinning: a pinned thread sees one CPU, and spinning mechanisms would call themselves off.
        String machine = Machine.describe();
        Map<String, Optional<String>> unavailable = new HashMap<>();
        selected.forEach(m -> unavailable.put(m.id(), m.unavailableBecause()));
        Path work = Files.createTempDirectory("ipc4j-bench-");
        List<Results.Row> rows = new ArrayList<>();
        // INT, TERM or HUP skip finally blocks: each clean-up is also registered for them while it is pending
        try (GracefulShutdown.Guard onSignal = GracefulShutdown.install().whileOpen("delete " + work,
                () -> deleteTree(work))) {
            if (config.pin()) {
                Affinity.pinCurrentThread(0);
            }
            int total = selected.size();
            int done = 0;
            for (Mechanism mechanism : selected) {
                progress.step(done++, total, mechanism.title());
                boolean withC = c != null && c.supports(mechanism.id()) && unavailable.get(mechanism.id()).isEmpty();
                rows.addAll(measure(mechanism, unavailable.get(mechanism.id()), withC ? c : null, work));
            }
            progress.step(total, total, "done");
        } finally {
            deleteTree(work);
        }
        String cNote = c == null ? "not run (--no-c)" : c.unavailableBecause().orElse("bench_ref.c, cc -O2");
        return new BenchReport(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), machine,
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")", cNote, config, rows);
    }

    private List<Integer> sizesFor(Mechanism mechanism) {
        return mechanism.carriesPayload() ? config.sizes() : List.of(0);
    }

    /**
     * Measures one mechanism in Java and, with {@code c}, in C: the two alternate over the plan's rounds (Java's
     * first round, C's first, Java's second...), the Java child staying up between its rounds, so that both see
     * the same moments of a machine whose speed drifts; each figure is the median of the rounds'.
     */
    private List<Results.Row> measure(Mechanism mechanism, Optional<String> unavailable, CReference c, Path work) {
        List<Results.Row> rows = new ArrayList<>();
        if (unavailable.isPresent()) {
            rows.add(row(mechanism, "ipc4j", 0, "unavailable", unavailable.get(), null));
            return rows;
        }
        List<Integer> runnable = new ArrayList<>();
        for (int size : sizesFor(mechanism)) {
            Optional<String> limit = mechanism.cannotCarry(size);
            if (limit.isPresent()) {
                rows.add(row(mechanism, "ipc4j", size, "limit", limit.get(), null));
            } else {
                runnable.add(size);
            }
        }
        if (runnable.isEmpty()) {
            return rows;
        }
        Plan plan = config.plan().scaled(mechanism.planScale())
                .withSizes(runnable, mechanism.noThroughputBecause().isEmpty());
        CRounds cRounds = new CRounds(mechanism, c, plan, work);
        try {
            List<List<Exchange.Result>> results = runJava(mechanism, plan, work, cRounds);
            for (int i = 0; i < runnable.size(); i++) {
                rows.add(row(mechanism, "ipc4j", runnable.get(i), "ok",
                        mechanism.noThroughputBecause().orElse(null), Results.medianOf(results.get(i))));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            // A mechanism that cannot run is a row that says why; the suite goes on.
            for (int size : runnable) {
                rows.add(row(mechanism, "ipc4j", size, "failed", describe(e), null));
            }
        }
        cRounds.finish();
        rows.addAll(cRounds.rows());
        return rows;
    }

    /** The C reference's side of one mechanism's rounds: run between Java's, or after them if Java failed. */
    private final class CRounds {
        private final Mechanism mechanism;
        private final CReference c;
        private final Plan plan;
        private final Path work;
        private final Map<Integer, List<Exchange.Result>> results = new TreeMap<>();
        private final Map<Integer, String> failures = new TreeMap<>();
        private int done;

        CRounds(Mechanism mechanism, CReference c, Plan plan, Path work) {
            this.mechanism = mechanism;
            this.c = c;
            this.plan = plan;
            this.work = work;
        }

        /** Runs C's round {@code round} (from 0), for every size: once Java's round of that number is done. */
        void run(int round) {
            if (c == null || round != done) {
                return;
            }
            done++;
            for (int size : plan.sizes()) {
                if (failures.containsKey(size)) {
                    continue;
                }
                try {
                    Exchange.Result r = c.run(mechanism.id(), size, plan.round(round), work, config.pin());
                    results.computeIfAbsent(size, s -> new ArrayList<>()).add(r);
                } catch (IOException | RuntimeException e) {
                    failures.put(size, describe(e));
                }
            }
        }

        /** Runs the rounds Java did not get to (it failed). */
        void finish() {
            while (c != null && done < plan.rounds()) {
                run(done);
            }
        }

        List<Results.Row> rows() {
            List<Results.Row> rows = new ArrayList<>();
            for (int size : c == null ? List.<Integer>of() : plan.sizes()) {
                rows.add(failures.containsKey(size) ? row(mechanism, "C", size, "failed", failures.get(size), null)
                        : row(mechanism, "C", size, "ok", null, Results.medianOf(results.get(size))));
            }
            return rows;
        }
    }

    @SuppressWarnings("try") // the guards only need closing
    private List<List<Exchange.Result>> runJava(Mechanism mechanism, Plan plan, Path work, CRounds between)
            throws IOException {
        try (Mechanism.Session session = mechanism.open(work, plan.sizes());
             GracefulShutdown.Guard onSignal = GracefulShutdown.install().whileOpen("close " + mechanism.id(),
                     session::close)) {
            List<String> args = new ArrayList<>();
            args.add(mechanism.id());
            args.addAll(plan.toArguments());
            args.add(config.pin() ? "1" : "-1");
            args.addAll(session.childArguments());
            Spawn spawn = Spawn.java(CHILD_JVM_OPTIONS, ChildMain.class.getName(), args);
            session.prepare(spawn);
            try (ChildProcess child = spawn.start();
                 GracefulShutdown.Guard stopChild = GracefulShutdown.install().whileOpen("stop the child", child::close)) {
                ScheduledFuture<?> deadline = watchdog.schedule(() -> killQuietly(child),
                        MECHANISM_DEADLINE.toSeconds(), TimeUnit.SECONDS);
                try (Endpoint endpoint = session.parentEndpoint()) {
                    PeerWatch.closeWhenChildExits(child, endpoint);
                    List<List<Exchange.Result>> results = new ArrayList<>();
                    plan.sizes().forEach(size -> results.add(new ArrayList<>()));
                    try {
                        for (int round = 0; round < plan.rounds(); round++) {
                            for (int i = 0; i < plan.sizes().size(); i++) {
                                results.get(i).add(Exchange.parent(endpoint, plan.round(round), plan.sizes().get(i)));
                            }
                            between.run(round); // the child waits in its next receive meanwhile
                        }
                    } catch (IOException e) { // PeerWatch closed the endpoint (a removed System V queue says so)
                        if (e instanceof AsynchronousCloseException || child.exitStatus().isPresent()) {
                            throw new IOException("the child process ended (" + child.waitFor(Duration.ofSeconds(10))
                                    + ") during the exchange", e);
                        }
                        throw e;
                    }
                    awaitSuccess(child);
                    return results;
                } finally {
                    deadline.cancel(false);
                }
            }
        }
    }

    /** Why a run failed: the exception's message, or its type where it has none (an AsynchronousCloseException). */
    static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Waits (60 s at most) for a child that answered everything to exit; IOException unless it exited 0. */
    static void awaitSuccess(ChildProcess child) throws IOException {
        var status = child.waitFor(Duration.ofSeconds(60));
        if (!status.succeeded()) {
            throw new IOException("the child process ended with " + status);
        }
    }

    private static void killQuietly(ChildProcess child) {
        try {
            child.kill();
        } catch (IOException e) {
            // It ended by itself meanwhile.
        }
    }

    private static Results.Row row(Mechanism m, String implementation, int size, String status, String note,
                                   Exchange.Result result) {
        return new Results.Row(m.id(), m.title(), implementation, size, status, note,
                result == null ? null : result.latency(), result == null ? null : result.throughput());
    }

    /** Deletes {@code root} and everything below it (a benchmark's work directory). */
    public static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
