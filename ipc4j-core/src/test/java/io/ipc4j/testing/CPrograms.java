package io.ipc4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Compiles the C peers in src/test/c with the system's cc, for tests whose other side is not Java. */
public final class CPrograms {
    private CPrograms() {
    }

    /**
     * Compiles {@code src/test/c/NAME.c} to {@code target/c/NAME} (once per build) and returns the binary;
     * skips the test, saying why, where there is no C compiler.
     */
    public static synchronized Path compile(String name) throws IOException, InterruptedException {
        Path source = Path.of("src/test/c", name + ".c").toAbsolutePath();
        Path binary = Path.of("target/c", name).toAbsolutePath();
        if (Files.isExecutable(binary) && Files.getLastModifiedTime(binary).compareTo(
                Files.getLastModifiedTime(source)) >= 0) {
            return binary;
        }
        String cc = findCompiler();
        assumeTrue(cc != null, "no C compiler (cc or gcc) on PATH: the C interoperability test cannot run");
        Files.createDirectories(binary.getParent());
        Process p = new ProcessBuilder(cc, "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("compiling " + source + " failed:\n" + output);
        }
        return binary;
    }

    /**
     * Compiles {@code source} for aarch64 with Debian's cross compiler (gcc-aarch64-linux-gnu), statically so
     * that qemu-aarch64-static can run it, warnings as errors; returns the binary. Skips the test, saying
     * why, where the compiler is missing, and fails under CI, whose .ci/run installs it.
     */
    public static Path compileForAarch64(Path source, Path binary) throws IOException, InterruptedException {
        requireTool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu");
        Files.createDirectories(binary.getParent());
        run(List.of("aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Werror", "-o", binary.toString(),
                source.toString()));
        return binary;
    }

    /** Skips the test where {@code tool} is not on PATH (fails under CI, which installs the package). */
    public static void requireTool(String tool, String debianPackage) {
        boolean found = which(tool) != null;
        if (!found && "true".equals(System.getenv("CI"))) {
            fail(tool + " is missing: .ci/run installs it (apt-get install " + debianPackage + ")");
        }
        assumeTrue(found, tool + " is not installed (apt-get install " + debianPackage + "): not checked here");
    }

    /** Runs {@code command} to its end (two minutes at most); its output, or an IOException with it. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    /** The executable {@code tool} on PATH, or null. */
    private static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool);
            }
        }
        return null;
    }

    private static String findCompiler() {
        for (String cc : new String[] {"cc", "gcc", "clang"}) {
            Path found = which(cc);
            if (found != null) {
                return found.toString();
            }
        }
        return null;
    }
}
