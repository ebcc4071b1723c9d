package io.ipc4j.bench;

import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.signal.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A C program shipped as a resource beside a class (the bench's C reference, the load commands' one-publisher
 * client), compiled with the system's C compiler ({@code cc}, {@code gcc} or {@code clang}, {@code -O2}) on
 * first use and cached by content hash in {@code ~/.cache/ipc4j}, so an edited source is compiled again. Without
 * a compiler, or when compiling fails, the program is unavailable and says why, and nothing throws: a command
 * can go on without it. Immutable; {@link #run} may be called from any thread.
 */
public final class CProgram {
    private final String name;
    private final Path binary;
    private final String unavailableBecause;

    private CProgram(String name, Path binary, String unavailableBecause) {
        this.name = name;
        this.binary = binary;
        this.unavailableBecause = unavailableBecause;
    }

    /**
     * Compiles {@code resource} (a {@code .c} file beside {@code owner}) if no cached binary of the same source
     * exists.
     *
     * @param owner    the class the resource is found beside
     * @param resource its file name, ending in {@code .c}
     * @param what     what it is, for the reasons it gives ("the C reference")
     * @return the program, or one that says why it is unavailable
     */
    public static CProgram prepare(Class<?> owner, String resource, String what) {
        String name = resource.replaceFirst("\\.c$", "");
        try {
            String compiler = findCompiler();
            if (compiler == null) {
                return new CProgram(name, null, "no C compiler (cc, gcc or clang) on PATH");
            }
            byte[] source;
            try (InputStream in = owner.getResourceAsStream(resource)) {
                if (in == null) {
                    return new CProgram(name, null, what + "'s source " + resource + " is not in the jar");
                }
                source = in.readAllBytes();
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source))
                    .substring(0, 12);
            Path cache = Path.of(System.getProperty("user.home"), ".cache", "ipc4j");
            Path binary = cache.resolve(name + "-" + hash);
            if (!Files.isExecutable(binary)) {
                Files.createDirectories(cache);
                Path c = cache.resolve(name + "-" + hash + ".c");
                Files.write(c, source);
                try {
                    execute(List.of(compiler, "-O2", "-o", binary.toString(), c.toString()), Duration.ofMinutes(2));
                } catch (IOException e) {
                    return new CProgram(name, null, "compiling " + what + " failed: " + e.getMessage());
                }
            }
            return new CProgram(name, binary, null);
        } catch (IOException | NoSuchAlgorithmException e) {
            return new CProgram(name, null, what + " could not be prepared: " + e.getMessage());
        }
    }

    /** Why the program cannot run, or empty when it can. */
    public Optional<String> unavailableBecause() {
        return Optional.ofNullable(unavailableBecause);
    }

    /**
     * Runs the program to its end; stopped with the command on INT, TERM or HUP.
     *
     * @param arguments its arguments
     * @param timeout   how long it may take
     * @return what it wrote, standard output and error together
     * @throws IOException if it is unavailable, fails, or takes longer than {@code timeout} (the message
     *                     carries its output)
     */
    public String run(List<String> arguments, Duration timeout) throws IOException {
        if (binary == null) {
            throw new IOException(name + " is unavailable: " + unavailableBecause);
        }
        List<String> command = new ArrayList<>(arguments.size() + 1);
        command.add(binary.toString());
        command.addAll(arguments);
        return execute(command, timeout);
    }

    /**
     * Runs {@code command} through the JDK's ProcessBuilder, its output to a file, not through ipc4j's Spawn and
     * a pipe: the bench runs its C reference between the Java rounds of a mechanism, and reading the program's
     * output through ipc4j's pipe (with a deadline, into a heap buffer) made the JIT throw out the compiled code
     * of the pipe row it was measuring. In the parent's deoptimization log (2026-12-03), PipeReader.read,
     * PipeWriter.write and FdHandle.callBlocking were "marked for deoptimization" when the first C run loaded the
     * JDK's heap memory segment, and took uncommon traps at each later one; the next Java round's p90 was 61-70
     * µs against 21-24 in the others.
     */
    @SuppressWarnings("try") // the guard only needs closing
    private static String execute(List<String> command, Duration timeout) throws IOException {
        GracefulShutdown shutdown = GracefulShutdown.install();
        if (shutdown.hasRun()) { // INT, TERM or HUP: the caller's loop may not have noticed yet
            throw new IOException(command.getFirst() + " not started: the process is shutting down");
        }
        Path output = Files.createTempFile("ipc4j-c-program-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            try (GracefulShutdown.Guard onSignal = shutdown.whileOpen("stop " + command.getFirst(), () -> {
                process.destroyForcibly();
                Files.deleteIfExists(output); // the shutdown skips finally blocks
            })) {
                if (shutdown.hasRun()) { // it ran before this step was added, and the exit is near
                    process.destroyForcibly();
                    throw new IOException(command.getFirst() + " stopped: the process is shutting down");
                }
                return awaitOutput(command, process, output, timeout);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Waits for {@code process} to end, at most {@code timeout}; its output if it succeeded. */
    private static String awaitOutput(List<String> command, Process process, Path output, Duration timeout)
            throws IOException {
        try {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (!ended || process.exitValue() != 0) {
                throw new IOException(Path.of(command.getFirst()).getFileName() + " "
                        + (command.size() > 1 ? command.get(1) + " " : "")
                        + (ended ? "ended with " + describe(process.exitValue()) : "took longer than " + timeout)
                        + ": " + text.strip());
            }
            return text;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + command.getFirst() + " ran");
        }
    }

    /** An exit value as the JDK reports it: 128 + the signal for a process a signal ended. */
    private static String describe(int exitValue) {
        return exitValue > 128 && exitValue < 128 + 65 ? "exit " + exitValue + " (killed by "
                + Signal.nameOf(exitValue - 128) + ")" : "exit " + exitValue;
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
}
