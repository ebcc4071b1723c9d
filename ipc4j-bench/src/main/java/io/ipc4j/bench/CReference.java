package io.ipc4j.bench;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The C reference: bench_ref.c (shipped in the jar), compiled with the system's C compiler on first use and
 * cached by content hash, run for the mechanisms it knows with the same plan as the Java run.
 */
public final class CReference {
    /** Mechanisms bench_ref.c implements. */
    public static final Set<String> MECHANISMS = Set.of("pipe", "fifo", "posix-mq", "sysv-mq", "unix-stream",
            "unix-dgram", "unix-seqpacket", "signal", "tcp", "udp", "futex", "mmap-spin", "posix-sem", "sysv-sem",
            "eventfd", "shm-channel-spin", "shm-channel-futex", "shm-channel-doorbell");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Path binary;
    private final String unavailableBecause;

    private CReference(Path binary, String unavailableBecause) {
        this.binary = binary;
        this.unavailableBecause = unavailableBecause;
    }

    /** Compiles the reference if needed; without a C compiler, a reference that says so. */
    public static CReference prepare() {
        try {
            String compiler = findCompiler();
            if (compiler == null) {
                return new CReference(null, "no C compiler (cc, gcc or clang) on PATH");
            }
            byte[] source;
            try (InputStream in = CReference.class.getResourceAsStream("bench_ref.c")) {
                source = in.readAllBytes();
            }
            String hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(source))
                    .substring(0, 12);
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "ipc4j");
            Path binary = cache.resolve("bench_ref-" + hash);
            if (!Files.isExecutable(binary)) {
                Files.createDirectories(cache);
                Path c = cache.resolve("bench_ref-" + hash + ".c");
                Files.write(c, source);
                String output = run(List.of(compiler, "-O2", "-o", binary.toString(), c.toString()));
                if (!Files.isExecutable(binary)) {
                    return new CReference(null, "compiling the C reference failed: " + output.strip());
                }
            }
            return new CReference(binary, null);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return new CReference(null, "the C reference could not be prepared: " + e.getMessage());
        }
    }

    private static String findCompiler() {
        for (String cc : new String[] {"cc", "gcc", "clang"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cc))) {
                    return Path.of(dir, cc).toString();
                }
            }
        }
        return null;
    }

    /** Why there is no C column, or empty when there is one. */
    public Optional<String> unavailableBecause() {
        return Optional.ofNullable(unavailableBecause);
    }

    public boolean supports(String mechanism) {
        return binary != null && MECHANISMS.contains(mechanism);
    }

    /** Runs the reference for one mechanism and size. */
    public Exchange.Result run(String mechanism, int size, Plan plan, Path workDirectory, boolean pin)
            throws IOException {
        String output = run(List.of(binary.toString(), mechanism, String.valueOf(size),
                String.valueOf(plan.warmupFor(size)), String.valueOf(plan.iterations()),
                String.valueOf(plan.streamCount(size)), workDirectory.toString(), pin ? "1" : "0"));
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

    @SuppressWarnings("try") // the guards only need closing
    private static String run(List<String> command) throws IOException {
        try (Pipe out = Pipe.open(); ChildProcess child = Spawn.command(command).stdout(out.writer())
                .stderr(out.writer()).start();
             GracefulShutdown.Guard onSignal = GracefulShutdown.install().whileOpen("stop " + command.getFirst(),
                     child::close)) {
            out.writer().close();
            String text = new String(out.reader().inputStream(TIMEOUT).readAllBytes(), StandardCharsets.UTF_8);
            ExitStatus status = child.waitFor(TIMEOUT);
            if (!status.succeeded()) {
                throw new IOException(command.getFirst() + " " + command.get(1) + " ended with " + status + ": "
                        + text.strip());
            }
            return text;
        }
    }
}
