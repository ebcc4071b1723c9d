package io.ipc4j.bench;

import org.HdrHistogram.Histogram;

/** The records a bench run produces and writes as JSON and CSV. */
public final class Results {
    private Results() {
    }

    /**
     * Round-trip latency percentiles in nanoseconds, warm-up excluded.
     *
     * @param count how many round trips were recorded.
     */
    public record Latency(long count, long p50, long p90, long p99, long p999, long max) {
    }

    static Latency latency(Histogram h) {
        return new Latency(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /**
     * One-way streaming: {@code messages} of {@code size} bytes sent back to back, then one acknowledgement.
     *
     * @param nanos from the first send to the acknowledgement.
     */
    public record Throughput(long messages, long nanos, int size) {
        public double messagesPerSecond() {
            return messages * 1e9 / nanos;
        }

        public double megabytesPerSecond() {
            return messages * (double) size * 1e9 / nanos / (1 << 20);
        }
    }

    /**
     * One row: a mechanism at one size, by ipc4j or by the C reference.
     *
     * @param mechanism      the mechanism id.
     * @param title          its name.
     * @param implementation "ipc4j" or "C".
     * @param size           message size in bytes; 0 for mechanisms that carry no payload.
     * @param status         "ok", "unavailable" (not here at all), "limit" (not at this size), or "failed".
     * @param note           why, for any status but ok.
     * @param latency        null unless ok.
     * @param throughput     null unless measured.
     */
    public record Row(String mechanism, String title, String implementation, int size, String status, String note,
                      Latency latency, Throughput throughput) {
        public boolean ok() {
            return "ok".equals(status);
        }
    }
}
