package io.ipc4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The exchange both processes follow, step by step, for each message size: warm-up round trips (not
 * recorded), measured round trips, then a stream of messages answered by one acknowledgement.
 *
 * @param sizes        message sizes, in order; 0 for mechanisms that carry no payload.
 * @param warmup       round trips before measuring.
 * @param iterations   measured round trips.
 * @param streamBytes  how many bytes the throughput phase sends (within the message-count bounds).
 * @param maxStream    the most messages the throughput phase sends.
 * @param throughput   whether the throughput phase runs.
 * @param rounds       how many rounds the counts are split into, so that Java and C can alternate between them
 *                     (see {@link #round(int)}).
 * @param scale        how many times the base plan's counts these are ({@link #scaled}); sizes above
 *                     {@link #SCALED_UP_TO} take fewer round trips (see {@link #iterationsFor}).
 */
public record Plan(List<Integer> sizes, int warmup, int iterations, long streamBytes, int maxStream,
                   boolean throughput, int rounds, int scale) {
    static final int MIN_STREAM = 200;
    /**
     * The largest size whose round trips a scaled plan multiplies in full. The scale is for mechanisms that
     * answer within a microsecond, whose small messages need many round trips (and a long warm-up) to be
     * measured; at 64 KiB the same mechanisms take 8-25 us a round trip, as long as a kernel path, and twenty
     * times the plan there cost the default run about 12 s (Agrona's ring alone 4 s) for no steadier figure.
     */
    static final int SCALED_UP_TO = 4096;

    /** A plan run in one round. */
    public Plan(List<Integer> sizes, int warmup, int iterations, long streamBytes, int maxStream, boolean throughput) {
        this(sizes, warmup, iterations, streamBytes, maxStream, throughput, 1, 1);
    }

    /** A plan of the base counts ({@code scale} 1). */
    public Plan(List<Integer> sizes, int warmup, int iterations, long streamBytes, int maxStream, boolean throughput,
                int rounds) {
        this(sizes, warmup, iterations, streamBytes, maxStream, throughput, rounds, 1);
    }

    /** How much smaller than the first round's warm-up the later rounds' are. */
    static final int REWARM_DIVISOR = 20;
    /** How much smaller than a round's first size's warm-up its later sizes' are. */
    static final int LATER_SIZE_DIVISOR = 4;

    /**
     * Round {@code index} (from 0) of this plan, a plan of one round: its share of the round trips and of the
     * stream; the whole warm-up in the first round, a twentieth of it in the others (the code is compiled by then;
     * this warms the caches and the wake-up path again after the other side's turn).
     */
    public Plan round(int index) {
        int share = iterations / rounds + (index < iterations % rounds ? 1 : 0);
        int warm = index == 0 ? warmup : warmup / REWARM_DIVISOR;
        return new Plan(sizes, warm, share, streamBytes / rounds, Math.max(MIN_STREAM, maxStream / rounds), throughput,
                1, scale);
    }

    /**
     * Round trips before measuring {@code size}: the whole {@link #warmup} before the first size, a quarter
     * before the others. The first warm-up is long because a JVM's first seconds are not its steady state: with
     * 1,000 round trips, the Java side's p99 was 5-10x C's on pipes, futexes and queued signals (its JIT still
     * compiling on the two measuring CPUs), 0.93-1.54x with 10,000 and 1.0-1.15x with 30,000 (2-vCPU EPYC VM,
     * 2026-12-02). Later sizes take paths of their own too (a 4 KiB read that returns in parts): with a
     * twentieth, TCP, Unix stream and datagram 4 KiB p50 was 1.02-1.24x C as a later size and 0.82-1.07x as the
     * first. In a scaled plan, sizes above {@link #SCALED_UP_TO} warm up for the same time per byte as at that
     * size, as they measure: whole, the spinning rows' 64 KiB warm-ups (50,000 round trips, twenty times what is
     * measured there) took 8 s of the default run; cut so, their 64 KiB p99 stayed 1.07-1.15x C (1.09-1.16 whole;
     * 2026-12-03, where a twentieth had given 3.8-4.0x while 64 KiB was the only size the C library copied).
     * The C reference warms up as much: it has no JIT, but
     * a spinning row's ring is faulted in page by page during its first pass (capped at 1,000, C's 64-byte
     * channel p99 was 3.4 µs against Java's 0.22).
     */
    public int warmupFor(int size) {
        if (size == sizes.getFirst()) {
            return warmup;
        }
        return cutToTimePerByte(warmup / LATER_SIZE_DIVISOR, size);
    }

    /**
     * Measured round trips of {@code size}: {@link #iterations}, or, in a scaled plan above {@link #SCALED_UP_TO},
     * as many as make the same time per byte as at that size, and never fewer than the base plan's.
     */
    public int iterationsFor(int size) {
        return cutToTimePerByte(iterations, size);
    }

    /**
     * {@code count} round trips of a scaled plan, cut above {@link #SCALED_UP_TO} to the same time per byte as
     * there, to no fewer than the base plan's.
     */
    private int cutToTimePerByte(int count, int size) {
        if (scale == 1 || size <= SCALED_UP_TO) {
            return count;
        }
        return (int) Math.max(count / scale, (long) count * SCALED_UP_TO / size);
    }

    /** Messages in the throughput phase for {@code size}. */
    public int streamCount(int size) {
        if (!throughput || size == 0) {
            return 0;
        }
        return (int) Math.max(MIN_STREAM, Math.min(maxStream, streamBytes / size));
    }

    /**
     * Messages streamed, untimed and acknowledged, before the timed stream: half as many. A stream takes paths
     * the round trips never took (a receiver that finds messages waiting, a sender that finds the ring full), so
     * the JIT recompiles when the stream starts; this keeps that out of the measurement.
     */
    public int streamWarmupCount(int size) {
        return streamCount(size) / 2;
    }

    /** This plan with its counts multiplied by {@code factor} (see {@link Mechanism#planScale()}). */
    public Plan scaled(int factor) {
        return new Plan(sizes, warmup * factor, iterations * factor, streamBytes * factor, maxStream * factor,
                throughput, rounds, scale * factor);
    }

    public Plan withSizes(List<Integer> newSizes, boolean withThroughput) {
        return new Plan(List.copyOf(newSizes), warmup, iterations, streamBytes, maxStream, withThroughput, rounds,
                scale);
    }

    /** As command-line arguments for the child. */
    public List<String> toArguments() {
        return List.of(String.join(",", sizes.stream().map(String::valueOf).toList()), String.valueOf(warmup),
                String.valueOf(iterations), String.valueOf(streamBytes), String.valueOf(maxStream),
                String.valueOf(throughput), String.valueOf(rounds), String.valueOf(scale));
    }

    /** Reads {@link #toArguments()} back; returns the plan and consumes {@link #ARGUMENTS} arguments. */
    public static Plan fromArguments(List<String> args) {
        List<Integer> sizes = new ArrayList<>();
        Arrays.stream(args.get(0).split(",")).map(Integer::parseInt).forEach(sizes::add);
        return new Plan(sizes, Integer.parseInt(args.get(1)), Integer.parseInt(args.get(2)),
                Long.parseLong(args.get(3)), Integer.parseInt(args.get(4)), Boolean.parseBoolean(args.get(5)),
                Integer.parseInt(args.get(6)), Integer.parseInt(args.get(7)));
    }

    static final int ARGUMENTS = 8;
}
