package io.ipc4j.process;

import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.Posix;

import java.io.IOException;

/**
 * CPU affinity of the calling thread (sched_setaffinity(2) with pid 0: on Linux, affinity is per thread).
 * For measurements that want each side of an exchange on a CPU of its own.
 */
public final class Affinity {
    private Affinity() {
    }

    /** Restricts the calling thread to {@code cpu}. */
    public static void pinCurrentThread(int cpu) throws IOException {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpu < 0 || cpu >= 1024) {
            throw new IllegalArgumentException("cpu " + cpu + " is outside 0..1023");
        }
        int r = Posix.setAffinity(cpu);
        if (r < 0) {
            throw Failures.of("sched_setaffinity", "cpu " + cpu, -r, "this process may use " + cpus + " CPUs");
        }
    }
}
