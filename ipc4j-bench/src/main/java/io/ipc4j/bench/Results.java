package io.ipc4j.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.function.ToLongFunction;

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
     * One figure of rounds that alternated with the other side's (see {@link Plan#round}): each percentile is the
     * median of the rounds' (the count their sum, the maximum theirs), the streaming rate the median of the
     * rounds' rates (over all the messages they streamed). One stalled round of a shared machine moves neither.
     */
    static Exchange.Result medianOf(List<Exchange.Result> rounds) {
        Latency latency = new Latency(rounds.stream().mapToLong(r -> r.latency().count()).sum(),
                median(rounds, r -> r.latency().p50()), median(rounds, r -> r.latency().p90()),
                median(rounds, r -> r.latency().p99()), median(rounds, r -> r.latency().p999()),
                rounds.stream().mapToLong(r -> r.latency().max()).max().orElseThrow());
        if (rounds.stream().anyMatch(r -> r.throughput() == null)) {
            return new Exchange.Result(latency, null);
        }
        long messages = rounds.stream().mapToLong(r -> r.throughput().messages()).sum();
        double rate = Rounds.median(rounds.stream().mapToDouble(r -> r.throughput().messagesPerSecond()).toArray());
        return new Exchange.Result(latency, new Throughput(messages, Math.round(messages * 1e9 / rate),
                rounds.getFirst().throughput().size()));
    }

    private static long median(List<Exchange.Result> rounds, ToLongFunction<Exchange.Result> value) {
        return Math.round(Rounds.median(rounds.stream().mapToDouble(r -> value.applyAsLong(r)).toArray()));
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
