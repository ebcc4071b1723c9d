package io.ipc4j.inspect;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A process's CPU time read per thread: finer than the 10 ms ticks, and never negative. */
class ProcessCpuTest {
    private static final long PID = ProcessHandle.current().pid();

    /**
     * A few milliseconds of work on this thread show in the per-thread reading (the ticks of /proc/PID/stat
     * would often show nothing, and the load commands printed 0 ns a delivery for short runs).
     */
    @Test
    void aFewMillisecondsOfWorkShow() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ProcessCpu.Sample before = ProcessCpu.sample(PID);
        assertTrue(before.threadNanos() != null && before.threadNanos().size() > 1, "schedstat of every thread");
        long threadBefore = threads.getCurrentThreadCpuTime();
        spin(3_000_000);
        long threadWork = threads.getCurrentThreadCpuTime() - threadBefore;
        long processWork = ProcessCpu.sample(PID).nanosSince(before);
        // schedstat lags the running thread's own clock by at most the time since its last accounting
        assertTrue(processWork >= threadWork / 2, "process " + processWork + " ns, this thread " + threadWork);
        assertTrue(processWork % 10_000_000 != 0, "nanoseconds, not ticks: " + processWork);
    }

    /**
     * A thread that ends between two readings takes its time with it: the work done meanwhile still shows, not
     * that work less the ended thread's earlier time (a plain difference of sums would be negative here).
     */
    @Test
    void aThreadThatEndsMeanwhileIsNotSubtracted() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread worker = Thread.ofPlatform().start(() -> {
            spin(30_000_000);
            awaitQuietly(release);
        });
        while (worker.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // until its 30 ms are done and it waits
        }
        ProcessCpu.Sample before = ProcessCpu.sample(PID);
        release.countDown();
        worker.join();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long threadBefore = threads.getCurrentThreadCpuTime();
        spin(3_000_000);
        long threadWork = threads.getCurrentThreadCpuTime() - threadBefore;
        long processWork = ProcessCpu.sample(PID).nanosSince(before);
        assertTrue(processWork >= threadWork / 2, "process " + processWork + " ns, this thread " + threadWork);
    }

    /** Without schedstat the ticks are used. */
    @Test
    void withoutThreadsTheTicksAreUsed() {
        ProcessCpu.Sample earlier = new ProcessCpu.Sample(null, 20_000_000);
        assertEquals(10_000_000, new ProcessCpu.Sample(null, 30_000_000).nanosSince(earlier));
        assertEquals(0, new ProcessCpu.Sample(null, 10_000_000).nanosSince(earlier));
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.nanoTime() & 1;
        }
        if (x == -1) {
            throw new AssertionError();
        }
    }
}
