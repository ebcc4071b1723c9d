package io.ipc4j.internal.proc;


/** A process's start time (field 22 of /proc/PID/stat, clock ticks since boot): with the pid, its identity. */
public final class ProcessStart {
    private static final long SELF = read("self");

    private ProcessStart() {
    }

    public static long self() {
        return SELF;
    }

    /** The start time of {@code pid}, or -1 if it is gone or a zombie (dead, not yet reaped by its parent). */
    public static long of(int pid) {
        return read(String.valueOf(pid));
    }

    /**
     * Whether the process recorded as {@code pid} with start time {@code start} (0: unknown) still lives: not
     * gone, not a zombie, and not a stranger that reused the pid.
     */
    public static boolean alive(int pid, long start) {
        long now = of(pid);
        return now >= 0 && (start == 0 || now == start);
    }

    private static long read(String pid) {
        return Sysctl.readText("/proc/" + pid + "/stat").map(ProcessStart::startTime).orElse(-1L);
    }

    private static long startTime(String stat) {
        try {
            // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            boolean dead = fields[0].equals("Z") || fields[0].equals("X");
            return dead ? -1 : Long.parseLong(fields[19]);
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
