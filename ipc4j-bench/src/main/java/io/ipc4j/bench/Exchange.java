package io.ipc4j.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** The measured exchange: the parent's side records, the child's side answers. Both follow the {@link Plan}. */
public final class Exchange {
    private Exchange() {
    }

    /** The parent's side for one size: round-trip latencies, then streaming throughput. */
    public static Result parent(Endpoint endpoint, Plan plan, int size) throws IOException {
        ByteBuffer out = message(size);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, size));
        for (int i = 0; i < plan.warmup(); i++) {
            roundTrip(endpoint, out, in, size);
        }
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < plan.iterations(); i++) {
            long start = System.nanoTime();
            roundTrip(endpoint, out, in, size);
            histogram.recordValue(Math.min(System.nanoTime() - start, histogram.getHighestTrackableValue()));
        }
        if (size > 0 && in.get(0) != out.get(0)) {
            throw new IOException("the echoed message differs from the one sent");
        }
        int stream = plan.streamCount(size);
        long nanos = 0;
        if (stream > 0) {
            long start = System.nanoTime();
            for (int i = 0; i < stream; i++) {
                endpoint.send(limit(out, size));
            }
            endpoint.receive(limit(in, size));
            nanos = System.nanoTime() - start;
        }
        return new Result(Results.latency(histogram), stream == 0 ? null : new Results.Throughput(stream, nanos, size));
    }

    /** The child's side for one size: echo every round trip, then acknowledge the stream. */
    public static void child(Endpoint endpoint, Plan plan, int size) throws IOException {
        ByteBuffer out = message(size);
        ByteBuffer in = ByteBuffer.allocateDirect(Math.max(1, size));
        for (int i = 0; i < plan.warmup() + plan.iterations(); i++) {
            endpoint.receive(limit(in, size));
            in.flip();
            endpoint.send(size == 0 ? limit(out, 0) : in);
        }
        int stream = plan.streamCount(size);
        if (stream > 0) {
            for (int i = 0; i < stream; i++) {
                endpoint.receive(limit(in, size));
            }
            endpoint.send(limit(out, size));
        }
    }

    private static void roundTrip(Endpoint endpoint, ByteBuffer out, ByteBuffer in, int size) throws IOException {
        endpoint.send(limit(out, size));
        endpoint.receive(limit(in, size));
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
