package io.ipc4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

    private static String findCompiler() {
        for (String cc : new String[] {"cc", "gcc", "clang"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, cc))) {
                    return Path.of(dir, cc).toString();
                }
            }
        }
        return null;
    }
}
