package io.ipc4j.bench;

import java.util.List;
import java.util.Set;

/**
 * What to measure and how long.
 *
 * @param sizes       payload sizes in bytes.
 * @param warmup      round trips before measuring the first size (see {@link Plan#warmupFor}).
 * @param iterations  measured round trips, per size.
 * @param streamBytes bytes per throughput stream (bounded by 200 and {@code maxStream} messages).
 * @param maxStream   most messages per throughput stream.
 * @param only        mechanism ids to run; empty for all.
 * @param pin         pin the measuring thread of each side to a CPU of its own (0 and 1).
 * @param cReference  run the C reference too.
 * @param rounds      how many rounds Java and C alternate in, per mechanism (the counts are split between them).
 */
public record BenchConfig(List<Integer> sizes, int warmup, int iterations, long streamBytes, int maxStream,
                          Set<String> only, boolean pin, boolean cReference, int rounds) {
    /** Rounds of the default run: enough for a median that one stalled round of a shared machine cannot move. */
    public static final int DEFAULT_ROUNDS = 3;

    public static final List<Integer> DEFAULT_SIZES = List.of(64, 4096, 65536);

    /** Round trips before the first size, in both runs: long enough for the JIT (see {@link Plan#warmupFor}). */
    public static final int DEFAULT_WARMUP = 10_000;

    /**
     * The default run: the whole suite in about 90 seconds on a 2-CPU machine, each side pinned to a CPU of its
     * own where there are two (see {@link #pin}).
     */
    public static BenchConfig defaults() {
        return new BenchConfig(DEFAULT_SIZES, DEFAULT_WARMUP, 6_000, 128L << 20, 100_000, Set.of(), canPin(), true,
                DEFAULT_ROUNDS);
    }

    /** --full: ten times longer, for steadier percentiles. */
    public static BenchConfig full() {
        return new BenchConfig(DEFAULT_SIZES, DEFAULT_WARMUP, 100_000, 2048L << 20, 2_000_000, Set.of(), canPin(), true,
                DEFAULT_ROUNDS);
    }

    /** Whether this process may use two CPUs, so that each side can have one. */
    public static boolean canPin() {
        return Runtime.getRuntime().availableProcessors() >= 2;
    }

    Plan plan() {
        return new Plan(sizes, warmup, iterations, streamBytes, maxStream, true, Math.max(1, rounds));
    }

    public BenchConfig withSizes(List<Integer> newSizes) {
        return new BenchConfig(List.copyOf(newSizes), warmup, iterations, streamBytes, maxStream, only, pin, cReference,
                rounds);
    }

    public BenchConfig withIterations(int newWarmup, int newIterations) {
        return new BenchConfig(sizes, newWarmup, newIterations, streamBytes, maxStream, only, pin, cReference, rounds);
    }

    public BenchConfig withStream(long newStreamBytes, int newMaxStream) {
        return new BenchConfig(sizes, warmup, iterations, newStreamBytes, newMaxStream, only, pin, cReference, rounds);
    }

    public BenchConfig withOnly(Set<String> ids) {
        return new BenchConfig(sizes, warmup, iterations, streamBytes, maxStream, Set.copyOf(ids), pin, cReference,
                rounds);
    }

    public BenchConfig withPin(boolean newPin) {
        return new BenchConfig(sizes, warmup, iterations, streamBytes, maxStream, only, newPin, cReference, rounds);
    }

    public BenchConfig withRounds(int newRounds) {
        return new BenchConfig(sizes, warmup, iterations, streamBytes, maxStream, only, pin, cReference, newRounds);
    }

    public BenchConfig withCReference(boolean run) {
        return new BenchConfig(sizes, warmup, iterations, streamBytes, maxStream, only, pin, run, rounds);
    }
}
