package io.ipc4j.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Java and C alternate in rounds: how a plan splits into them, and how their figures combine. */
class RoundsOfAPlanTest {
    @Test
    void theRoundsShareTheRoundTripsExactlyAndTheFirstSizeOfTheFirstWarmsUpFully() {
        Plan plan = new Plan(List.of(64, 4096), 10_000, 10_001, 1 << 20, 9_000, true, 3);
        assertEquals(List.of(3_334, 3_334, 3_333), List.of(plan.round(0).iterations(), plan.round(1).iterations(),
                plan.round(2).iterations()));
        assertEquals(List.of(10_000, 500, 500), List.of(plan.round(0).warmup(), plan.round(1).warmup(),
                plan.round(2).warmup()));
        // the whole warm-up before the first size of the first round (the JIT's), a quarter before its other
        // sizes; later rounds a twentieth of that
        assertEquals(List.of(10_000, 2_500, 500, 125), List.of(plan.round(0).warmupFor(64),
                plan.round(0).warmupFor(4096), plan.round(1).warmupFor(64), plan.round(1).warmupFor(4096)));
        assertEquals(3_000, plan.round(2).streamCount(64));
        assertEquals(1, plan.round(1).rounds());
        assertEquals(plan, Plan.fromArguments(plan.toArguments()));
    }

    /**
     * A plan scaled for a spinning mechanism multiplies every count up to 4 KiB; above, its measured and warm-up
     * round trips take the same time per byte as at 4 KiB, never fewer than the base plan's.
     */
    @Test
    void aScaledPlanTakesFewerRoundTripsAbove4KiB() {
        Plan plan = new Plan(List.of(64, 4096, 65536), 10_000, 6_000, 1 << 20, 9_000, true, 3).scaled(20);
        Plan first = plan.round(0);
        assertEquals(List.of(40_000, 40_000, 2_500), List.of(first.iterationsFor(64), first.iterationsFor(4096),
                first.iterationsFor(65536)));
        // the warm-ups too: a sixteenth of 4 KiB's before 64 KiB (the first size's stays whole, for the JIT)
        assertEquals(List.of(200_000, 50_000, 3_125), List.of(first.warmupFor(64), first.warmupFor(4096),
                first.warmupFor(65536)));
        assertEquals(2_500, first.warmupFor(1 << 20), "never less than the base plan's");
        assertEquals(200_000, plan.withSizes(List.of(65536), true).round(0).warmupFor(65536),
                "a first size warms up whole, whatever its size");
        assertEquals(2_000, first.iterationsFor(1 << 20), "never fewer than the base plan's share");
        assertEquals(20, first.scale());
        assertEquals(plan, Plan.fromArguments(plan.toArguments()), "the child gets the scale too");
        Plan base = new Plan(List.of(64, 65536), 10_000, 6_000, 1 << 20, 9_000, true, 3);
        assertEquals(2_000, base.round(0).iterationsFor(65536), "an unscaled plan is as before");
    }

    @Test
    void oneStalledRoundMovesNoFigure() {
        Exchange.Result steady = result(50_000, 90_000, 1_000_000);
        Exchange.Result alsoSteady = result(52_000, 95_000, 1_100_000);
        Exchange.Result stalled = result(400_000, 5_000_000, 100_000);
        Exchange.Result combined = Results.medianOf(List.of(steady, stalled, alsoSteady));
        assertEquals(52_000, combined.latency().p50());
        assertEquals(95_000, combined.latency().p99());
        assertEquals(3_000, combined.latency().count());
        assertEquals(5_000_000, combined.latency().max());
        assertEquals(1_000_000, combined.throughput().messagesPerSecond(), 1.0);
        assertEquals(6_000, combined.throughput().messages());
    }

    /** A round of 1,000 round trips (p50, and p99 as every higher figure) and a 2,000-message stream at a rate. */
    private static Exchange.Result result(long p50, long p99, double messagesPerSecond) {
        return new Exchange.Result(new Results.Latency(1_000, p50, p50, p99, p99, p99),
                new Results.Throughput(2_000, Math.round(2_000 * 1e9 / messagesPerSecond), 64));
    }
}
