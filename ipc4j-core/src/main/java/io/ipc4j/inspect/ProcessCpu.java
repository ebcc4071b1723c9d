package io.ipc4j.inspect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of another process, for a server's cost per request next to its rate. Two readings: {@link #nanos}, the
 * whole process's total in 10 ms ticks, and {@link #sample}/{@link Sample#nanosSince}, each thread's time in
 * nanoseconds, for runs too short for ticks. Stateless and thread-safe.
 */
public final class ProcessCpu {
    /** /proc counts CPU time in clock ticks of 1/100 s (USER_HZ on Linux). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    /**
     * CPU time process {@code pid} has used so far, all threads, user and system (/proc/PID/stat; 10 ms ticks).
     *
     * @param pid the process
     * @return its CPU time so far, in nanoseconds (a multiple of 10 ms)
     * @throws UncheckedIOException if the process is gone: the measurement it was part of failed.
     */
    public static long nanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK; // utime + stime
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Each thread's CPU time so far, in nanoseconds (/proc/PID/task/TID/schedstat, the time on a CPU), with the
     * ticks of {@link #nanos} beside it for kernels without schedstat.
     *
     * @param pid the process
     * @return the reading
     * @throws UncheckedIOException if the process is gone
     */
    public static Sample sample(long pid) {
        Map<Long, Long> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String line = Files.readString(task.resolve("schedstat"));
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            Long.parseLong(line.substring(0, line.indexOf(' '))));
                } catch (NoSuchFileException e) {
                    // the thread ended while the directory was read: its time goes with it
                }
            }
        } catch (NoSuchFileException e) {
            threads.clear(); // the process is gone: nanos says so
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a live process has a thread: none read means no schedstat on this kernel
        return new Sample(threads.isEmpty() ? null : threads, nanos(pid));
    }

    /**
     * One reading of a process's CPU time.
     *
     * @param threadNanos each thread's time by thread id, or null where the kernel has no schedstat
     * @param ticksNanos  the whole process's time in 10 ms ticks
     */
    public record Sample(Map<Long, Long> threadNanos, long ticksNanos) {
        /** Keeps its own copy of the threads' times. */
        public Sample {
            threadNanos = threadNanos == null ? null : Map.copyOf(threadNanos);
        }

        /**
         * CPU time used between {@code earlier} and this reading: per thread in nanoseconds where both readings
         * have them (a thread started meanwhile counts from zero; one that ended meanwhile loses its time since
         * {@code earlier}, as a JVM's compiler threads may), else the difference of the ticks.
         *
         * @param earlier the reading at the start
         * @return nanoseconds, never negative
         */
        public long nanosSince(Sample earlier) {
            if (threadNanos == null || earlier.threadNanos == null) {
                return Math.max(0, ticksNanos - earlier.ticksNanos);
            }
            long sum = 0;
            for (Map.Entry<Long, Long> t : threadNanos.entrySet()) {
                sum += Math.max(0, t.getValue() - earlier.threadNanos.getOrDefault(t.getKey(), 0L));
            }
            return sum;
        }
    }
}
