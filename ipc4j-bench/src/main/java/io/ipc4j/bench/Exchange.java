package io.ipc4j.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** The measured exchange: the parent's side records, the child's side answers. Both follow the {@link Plan}. */
public final class Exchange {
    private Exchange() {
    }

    /** The parent's side for one size: round-trip latencies, then streaming throughput (after a warm-up stream). */
    public static Result parent(Endpoint endpoint, Plan plan, int size) throws IOException {
        ByteBuffer out = message(size);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, size));
        int bursts = burstWarmups(plan, size);
        for (int i = 0; i < bursts; i++) {
            sendMany(endpoint, out, size, warmupBurst(i));
            receiveMany(endpoint, in, size, 1);
        }
        timeRoundTrips(endpoint, out, in, size, plan.warmupFor(size) - bursts, newHistogram());
        Histogram histogram = newHistogram();
        timeRoundTrips(endpoint, out, in, size, plan.iterationsFor(size), histogram);
        int stream = plan.streamCount(size);
        long nanos = 0;
        if (stream > 0) {
            sendMany(endpoint, out, size, plan.streamWarmupCount(size));
            receiveMany(endpoint, in, size, 1);
            long start = System.nanoTime();
            sendMany(endpoint, out, size, stream);
            receiveMany(endpoint, in, size, 1);
            nanos = System.nanoTime() - start;
        }
        return new Result(Results.latency(histogram), stream == 0 ? null : new Results.Throughput(stream, nanos, size));
    }

    /**
     * Times {@code count} round trips into {@code histogram}, checking each echo. The warm-up's round trips run
     * through here too, so that this code is compiled, with the mechanism's endpoint in its profile, before it
     * measures: warmed up through other code, it was compiled in the middle of the measurement (the parent's JIT
     * log, 2026-12-03: roundTrip, checkEcho and the histogram's recording at tier 4 during the first row's third
     * round, whose p90 was 36-57 us against 17-22), and compiled for the previous row's endpoint, it was thrown
     * out at the next row's first measured round trip.
     */
    private static void timeRoundTrips(Endpoint endpoint, ByteBuffer out, ByteBuffer in, int size, int count,
                                       Histogram histogram) throws IOException {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            roundTrip(endpoint, out, in, size);
            histogram.recordValue(Math.min(System.nanoTime() - start, histogram.getHighestTrackableValue()));
            checkEcho(out, in, size, i); // after the clock: a 64 KiB compare is not the mechanism's time
        }
    }

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    }

    /** The child's side for one size: echo every round trip, then acknowledge the warm-up stream and the stream. */
    public static void child(Endpoint endpoint, Plan plan, int size) throws IOException {
        ByteBuffer out = message(size);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, size));
        int bursts = burstWarmups(plan, size);
        for (int i = 0; i < plan.warmupFor(size) + plan.iterationsFor(size); i++) {
            receiveMany(endpoint, in, size, i < bursts ? warmupBurst(i) : 1);
            in.flip();
            endpoint.send(size == 0 ? limit(out, 0) : in);
        }
        int stream = plan.streamCount(size);
        if (stream > 0) {
            receiveMany(endpoint, in, size, plan.streamWarmupCount(size));
            endpoint.send(limit(out, size));
            receiveMany(endpoint, in, size, stream);
            endpoint.send(limit(out, size));
        }
    }

    /** The echo of round trip {@code i} must be the whole message sent, byte for byte. */
    static void checkEcho(ByteBuffer out, ByteBuffer in, int size, int i) throws IOException {
        int at = limit(in, size).mismatch(limit(out, size));
        if (at >= 0) {
            throw new IOException("the echo of round trip " + i + " differs from the " + size + "-byte message sent,"
                    + " first at byte " + at + ": the mechanism lost, reordered or damaged bytes");
        }
    }

    private static void roundTrip(Endpoint endpoint, ByteBuffer out, ByteBuffer in, int size) throws IOException {
        sendMany(endpoint, out, size, 1);
        receiveMany(endpoint, in, size, 1);
    }

    /**
     * How many messages burst warm-up round trip {@code i} sends before its answer: 1 to 8, so that
     * {@link #sendMany} and {@link #receiveMany} are compiled with their loops taken and the stream runs compiled
     * code. A loop of its own would start interpreted, and one only ever run once would be compiled without its
     * back edge, so the stream would measure the JIT (64-byte streams measured 2-4x below their steady rate).
     */
    private static int warmupBurst(int i) {
        return 1 + (i & 7);
    }

    /**
     * How many of the warm-up round trips before {@code size} burst ({@link #warmupBurst}), the others sending one
     * message each: the first {@value #BURST_WARMUPS} where the warm-up bursts at all ({@link #burstsBefore}),
     * enough for the loops' profile; the rest of a long first warm-up (see {@link Plan#warmupFor}) costs a round
     * trip each. Flag mechanisms (no payload) cannot queue messages: none.
     */
    private static int burstWarmups(Plan plan, int size) {
        return burstsBefore(plan, size) ? Math.min(plan.warmupFor(size), BURST_WARMUPS) : 0;
    }

    /**
     * Whether the warm-up before {@code size} bursts: before the first size only, where the mechanism streams
     * (the loops are the same code at every size; bursts of 64 KiB messages before the later sizes cost seconds).
     */
    private static boolean burstsBefore(Plan plan, int size) {
        return plan.streamCount(size) > 0 && size == plan.sizes().getFirst();
    }

    /** Warm-up round trips that send a burst first (see {@link #warmupBurst}). */
    static final int BURST_WARMUPS = 2_000;

    /** Sends {@code count} messages; the round trips and the stream both send through here. */
    static void sendMany(Endpoint endpoint, ByteBuffer out, int size, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            endpoint.send(limit(out, size));
        }
    }

    /** Receives {@code count} messages; warmed up by the round trips, as {@link #sendMany}. */
    static void receiveMany(Endpoint endpoint, ByteBuffer in, int size, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            endpoint.receive(limit(in, size));
        }
    }

    private static ByteBuffer message(int size) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, size));
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) (i * 31 + 7));
        }
        return buffer;
    }

    private static ByteBuffer limit(ByteBuffer buffer, int size) {
        return buffer.clear().limit(size);
    }

    /**
     * What one size gave.
     *
     * @param latency    round trips.
     * @param throughput the stream, or null if none ran.
     */
    public record Result(Results.Latency latency, Results.Throughput throughput) {
    }
}
