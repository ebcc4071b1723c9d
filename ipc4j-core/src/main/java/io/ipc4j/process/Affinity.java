package io.ipc4j.process;

import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.internal.posix.Failures;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * CPU affinity of the calling thread (sched_setaffinity(2) with pid 0: on Linux, affinity is per thread).
 * For measurements that want each side of an exchange on a CPU of its own.
 */
public final class Affinity {
    private Affinity() {
    }

    /**
     * Restricts the calling thread to {@code cpu}.
     *
     * @param cpu the CPU number
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static void pinCurrentThread(int cpu) throws IOException {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpu < 0 || cpu >= 1024) {
            throw new IllegalArgumentException("cpu " + cpu + " is outside 0..1023");
        }
        int r = ProcessCalls.setAffinity(cpu);
        if (r < 0) {
            throw Failures.of("sched_setaffinity", "cpu " + cpu, -r, "this process may use " + cpus + " CPUs");
        }
    }

    /**
     * How many CPUs this process may run on: the union of its threads' affinities (a thread pinned to one CPU,
     * as a measuring thread is, does not make a one-CPU process: the JVM's other threads keep theirs), capped by
     * its cgroup's CPU quota (cgroup v2 cpu.max or v1 cpu.cfs_quota_us). Unlike
     * {@link Runtime#availableProcessors()}, which answers for the calling thread. Falls back to that when
     * /proc cannot be read.
     *
     * @return how many CPUs this process may run on: the union of its threads' affinities
     */
    public static int processCpuCount() {
        BitSet union = new BitSet();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                allowedCpus(task.resolve("status"), union);
            }
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
        int cpus = union.isEmpty() ? Runtime.getRuntime().availableProcessors() : union.cardinality();
        return Math.max(1, Math.min(cpus, cgroupQuotaCpus()));
    }

    /** Adds the CPUs of a task's Cpus_allowed_list ("0-3,8,10-11") to {@code into}; a task that ended adds none. */
    private static void allowedCpus(Path status, BitSet into) {
        List<String> lines;
        try {
            lines = Files.readAllLines(status);
        } catch (IOException e) {
            return; // the thread ended meanwhile
        }
        for (String line : lines) {
            if (line.startsWith("Cpus_allowed_list:")) {
                for (String range : line.substring(line.indexOf(':') + 1).trim().split(",")) {
                    String[] ends = range.trim().split("-");
                    int first = Integer.parseInt(ends[0]);
                    into.set(first, Integer.parseInt(ends[ends.length - 1]) + 1);
                }
            }
        }
    }

    /** The cgroup's CPU quota in whole CPUs, rounded up; Integer.MAX_VALUE when there is none or it is unknown. */
    private static int cgroupQuotaCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length < 3) {
                    continue;
                }
                if (parts[0].equals("0") && parts[1].isEmpty()) {
                    Path max = Path.of("/sys/fs/cgroup" + parts[2], "cpu.max");
                    if (Files.isReadable(max)) {
                        String[] f = Files.readString(max).trim().split("\\s+");
                        if (!f[0].equals("max")) {
                            return quota(Long.parseLong(f[0]), Long.parseLong(f[1]));
                        }
                    }
                } else if (List.of(parts[1].split(",")).contains("cpu")) {
                    Path dir = Path.of("/sys/fs/cgroup/cpu" + parts[2]);
                    Path quota = dir.resolve("cpu.cfs_quota_us");
                    if (Files.isReadable(quota)) {
                        long q = Long.parseLong(Files.readString(quota).trim());
                        if (q > 0) {
                            return quota(q, Long.parseLong(Files.readString(dir.resolve("cpu.cfs_period_us")).trim()));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: no cap
        }
        return Integer.MAX_VALUE;
    }

    private static int quota(long quota, long period) {
        return (int) Math.max(1, (quota + period - 1) / period);
    }
}
