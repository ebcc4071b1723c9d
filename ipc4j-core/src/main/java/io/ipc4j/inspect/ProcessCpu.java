package io.ipc4j.inspect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of another process, for a server's cost per request next to its rate. */
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
}
