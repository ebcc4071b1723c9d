package io.ipc4j.bench;

import io.ipc4j.bench.mechanisms.Mechanisms;
import io.ipc4j.process.Affinity;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two mechanisms streaming in turns between the same two processes: their throughput ratio, free of the
 * machine's drift. On a shared VM, runs a minute apart differ by up to 4x, so two mechanisms measured one after
 * the other cannot be ranked when they are close; taking turns, each a few hundred milliseconds, puts both
 * under the same conditions, and the median of the per-turn ratios is what to compare.
 *
 * <p>Each turn streams the same number of messages of one size (as the bench's stream: at most
 * {@code maxStream} messages or {@code streamBytes} bytes, at the smaller of the two mechanisms' plan scales)
 * and waits for the receiver's acknowledgement; the first {@link #WARMUP_TURNS} turns of each are not counted.
 */
public final class Paired {
    /** Turns of each mechanism, per size, before the counted ones: the JIT compiles the streaming paths then. */
    public static final int WARMUP_TURNS = 3;

    private Paired() {
    }

    /**
     * The counted turns for one size.
     *
     * @param first  messages per second of the first mechanism, one per turn.
     * @param second the second's, turn by turn.
     */
    public record SizeResult(int size, int messages, double[] first, double[] second) {
        /** The {@code q} quantile (0..1) of the per-turn ratios first/second. */
        public double ratio(double q) {
            double[] r = new double[first.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = first[i] / second[i];
            }
            return Rounds.quantile(r, q);
        }

        public double medianFirst() {
            return Rounds.median(first);
        }

        public double medianSecond() {
            return Rounds.median(second);
        }
    }

    /** IllegalArgumentException with the reason if the two cannot stream {@code sizes} here. */
    public static void check(Mechanism first, Mechanism second, List<Integer> sizes) {
        for (Mechanism m : List.of(first, second)) {
            if (!m.carriesPayload() || m.noThroughputBecause().isPresent() || m.unavailableBecause().isPresent()) {
                throw new IllegalArgumentException(m.id() + " cannot stream here: " + m.noThroughputBecause()
                        .or(m::unavailableBecause).orElse("it carries no payload"));
            }
            for (int size : sizes) {
                m.cannotCarry(size).ifPresent(why -> {
                    throw new IllegalArgumentException(m.id() + " cannot carry " + size + " bytes: " + why);
                });
            }
        }
    }

    /** Runs {@code turns} counted turns of each mechanism per size, with {@code config}'s stream bounds and pinning. */
    @SuppressWarnings("try") // the guards only need closing
    public static List<SizeResult> run(Mechanism first, Mechanism second, List<Integer> sizes, int turns,
                                       BenchConfig config) throws IOException {
        check(first, second, sizes);
        Plan plan = config.plan().scaled(Math.min(first.planScale(), second.planScale())).withSizes(sizes, true);
        Path work = Files.createTempDirectory("ipc4j-paired-");
        GracefulShutdown shutdown = GracefulShutdown.install(); // INT, TERM or HUP skip finally blocks
        try (GracefulShutdown.Guard deleteWork = shutdown.whileOpen("delete " + work, () -> Bench.deleteTree(work));
             Mechanism.Session a = first.open(work, sizes);
             GracefulShutdown.Guard closeA = shutdown.whileOpen("close " + first.id(), a::close);
             Mechanism.Session b = second.open(work, sizes);
             GracefulShutdown.Guard closeB = shutdown.whileOpen("close " + second.id(), b::close)) {
            List<String> args = new ArrayList<>(List.of(first.id(), second.id(), String.valueOf(turns),
                    config.pin() ? "1" : "-1", String.valueOf(a.childArguments().size())));
            args.addAll(plan.toArguments());
            args.addAll(a.childArguments());
            args.addAll(b.childArguments());
            Spawn spawn = Spawn.java(Bench.CHILD_JVM_OPTIONS, Paired.class.getName(), args);
            a.prepare(spawn);
            b.prepare(spawn);
            if (config.pin()) {
                Affinity.pinCurrentThread(0);
            }
            try (ChildProcess child = spawn.start();
                 GracefulShutdown.Guard stopChild = shutdown.whileOpen("stop the child", child::close);
                 Endpoint ea = a.parentEndpoint(); Endpoint eb = b.parentEndpoint()) {
                List<SizeResult> results = new ArrayList<>();
                for (int size : sizes) {
                    results.add(parentSize(ea, eb, size, plan.streamCount(size), turns));
                }
                Bench.awaitSuccess(child);
                return results;
            }
        } finally {
            Bench.deleteTree(work);
        }
    }

    private static SizeResult parentSize(Endpoint a, Endpoint b, int size, int messages, int turns)
            throws IOException {
        ByteBuffer out = ByteBuffer.allocateDirect(size);
        ByteBuffer in = ByteBuffer.allocateDirect(size);
        double[] first = new double[turns];
        double[] second = new double[turns];
        for (int turn = -WARMUP_TURNS; turn < turns; turn++) {
            boolean aFirst = aGoesFirst(turn);
            double rateA = aFirst ? timedTurn(a, out, in, size, messages) : 0;
            double rateB = timedTurn(b, out, in, size, messages);
            rateA = aFirst ? rateA : timedTurn(a, out, in, size, messages);
            if (turn >= 0) {
                first[turn] = rateA;
                second[turn] = rateB;
            }
        }
        return new SizeResult(size, messages, first, second);
    }

    /** The order alternates (A B, B A, ...), so that neither always follows the other's turn. */
    private static boolean aGoesFirst(int turn) {
        return (turn & 1) == 0;
    }

    /** Streams {@code messages} and waits for the acknowledgement; returns messages per second. */
    private static double timedTurn(Endpoint endpoint, ByteBuffer out, ByteBuffer in, int size, int messages)
            throws IOException {
        long start = System.nanoTime();
        Exchange.sendMany(endpoint, out, size, messages);
        Exchange.receiveMany(endpoint, in, size, 1);
        return messages * 1e9 / (System.nanoTime() - start);
    }

    /** The child: args as {@link #run} passes them; receives each turn's stream and acknowledges it. */
    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        Mechanism first = Mechanisms.byId(arguments.get(0)).orElseThrow();
        Mechanism second = Mechanisms.byId(arguments.get(1)).orElseThrow();
        int turns = Integer.parseInt(arguments.get(2));
        int cpu = Integer.parseInt(arguments.get(3));
        int firstArgs = Integer.parseInt(arguments.get(4));
        Plan plan = Plan.fromArguments(arguments.subList(5, 5 + Plan.ARGUMENTS));
        int rest = 5 + Plan.ARGUMENTS;
        if (cpu >= 0) {
            Affinity.pinCurrentThread(cpu);
        }
        try (Endpoint a = first.childEndpoint(arguments.subList(rest, rest + firstArgs));
             Endpoint b = second.childEndpoint(arguments.subList(rest + firstArgs, arguments.size()))) {
            for (int size : plan.sizes()) {
                ByteBuffer out = ByteBuffer.allocateDirect(size);
                ByteBuffer in = ByteBuffer.allocateDirect(size);
                for (int turn = -WARMUP_TURNS; turn < turns; turn++) {
                    for (Endpoint e : aGoesFirst(turn) ? List.of(a, b) : List.of(b, a)) {
                        Exchange.receiveMany(e, in, size, plan.streamCount(size));
                        Exchange.sendMany(e, out, size, 1);
                    }
                }
            }
        }
    }
}
