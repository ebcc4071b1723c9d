package io.ipc4j.bench;

import io.ipc4j.testing.CPrograms;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C reference builds for aarch64 as well as x86-64: its spin loops use a portable relax hint, not an x86
 * intrinsic alone. Cross-compiled with Debian's gcc-aarch64-linux-gnu, warnings as errors, and run under
 * qemu-user-static far enough to print its usage.
 */
class CReferencePortabilityTest {
    @Test
    void theCReferenceBuildsAndStartsOnAarch64() throws Exception {
        Path dir = Path.of("target/c-aarch64").toAbsolutePath();
        Files.createDirectories(dir);
        Path source = dir.resolve("bench_ref.c");
        try (InputStream in = CReference.class.getResourceAsStream("bench_ref.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = CPrograms.compileForAarch64(source, dir.resolve("bench_ref"));
        CPrograms.requireTool("qemu-aarch64-static", "qemu-user-static");
        ProcessBuilder run = new ProcessBuilder(List.of("qemu-aarch64-static", binary.toString()))
                .redirectErrorStream(true);
        Process p = run.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "bench_ref under qemu did not end: " + output);
        assertTrue(output.toLowerCase(java.util.Locale.ROOT).contains("usage"), output);
    }
}
