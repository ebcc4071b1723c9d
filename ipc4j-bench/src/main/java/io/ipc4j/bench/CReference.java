package io.ipc4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The C reference: bench_ref.c (shipped in the jar, compiled on first use: {@link CProgram}), run for the
 * mechanisms it knows with the same plan as the Java run.
 */
public final class CReference {
    /** Mechanisms bench_ref.c implements. */
    public static final Set<String> MECHANISMS = Set.of("pipe", "fifo", "posix-mq", "sysv-mq", "unix-stream",
            "unix-dgram", "unix-seqpacket", "signal", "tcp", "udp", "futex", "mmap-spin", "posix-sem", "sysv-sem",
            "eventfd", "shm-channel-spin", "shm-channel-futex", "shm-channel-doorbell");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final CProgram program;

    private CReference(CProgram program) {
        this.program = program;
    }

    /** Compiles the reference if needed; without a C compiler, a reference that says so. */
    public static CReference prepare() {
        return new CReference(CProgram.prepare(CReference.class, "bench_ref.c", "the C reference"));
    }

    /** Why there is no C column, or empty when there is one. */
    public Optional<String> unavailableBecause() {
        return program.unavailableBecause();
    }

    public boolean supports(String mechanism) {
        return program.unavailableBecause().isEmpty() && MECHANISMS.contains(mechanism);
    }

    /** Runs the reference for one mechanism and size. */
    public Exchange.Result run(String mechanism, int size, Plan plan, Path workDirectory, boolean pin)
            throws IOException {
        String output = program.run(List.of(mechanism, String.valueOf(size),
                String.valueOf(plan.warmupFor(size)), String.valueOf(plan.iterationsFor(size)),
                String.valueOf(plan.streamCount(size)), workDirectory.toString(), pin ? "1" : "0"), TIMEOUT);
        Results.Latency latency = null;
        Results.Throughput throughput = null;
        for (String line : output.lines().toList()) {
            String[] f = line.split(" ");
            if (f[0].equals("latency") && f.length == 7) {
                latency = new Results.Latency(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
            } else if (f[0].equals("throughput") && f.length == 3) {
                throughput = new Results.Throughput(Long.parseLong(f[1]), Long.parseLong(f[2]), size);
            }
        }
        if (latency == null) {
            throw new IOException("the C reference gave no result: " + output.strip());
        }
        return new Exchange.Result(latency, throughput);
    }
}
