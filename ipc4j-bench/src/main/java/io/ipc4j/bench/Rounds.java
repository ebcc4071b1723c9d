package io.ipc4j.bench;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Figures over rounds that compared systems took in turns: quantiles, and the round-by-round ratio of two
 * systems (each round against the other's run of the same round, so the machine's drift cancels out).
 */
public final class Rounds {
    private Rounds() {
    }

    /** The median, the smallest and the largest of one system's rounds against another's. */
    public record Ratios(double median, double min, double max) {
    }

    /** The {@code q} quantile (0..1) of {@code values}, interpolated between the two nearest. */
    public static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    public static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /** The ratios {@code first(i) / second(i)} over {@code rounds} rounds. */
    public static Ratios ratios(int rounds, IntToDoubleFunction first, IntToDoubleFunction second) {
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            r[i] = first.applyAsDouble(i) / second.applyAsDouble(i);
        }
        return new Ratios(median(r), Arrays.stream(r).min().orElseThrow(), Arrays.stream(r).max().orElseThrow());
    }
}
