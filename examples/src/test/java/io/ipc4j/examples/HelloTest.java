package io.ipc4j.examples;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the example as a user's program, in a JVM of its own, on the module path and on the class path, twice
 * each (what it creates is removed, so a second run works), with the flags the README gives.
 */
class HelloTest {
    private static final List<String> EXPECTED = List.of(
            "pipe: hello through a pipe",
            "posix semaphore: value 2, unlinked true",
            "system v set: true, values 1 0",
            "socket: peer is this process true",
            "error: io.ipc4j.PosixFileAlreadyExistsException EEXIST");

    @Test
    void runsOnTheModulePath() throws Exception {
        String modulePath = ipc4jCore() + File.pathSeparator + Path.of("target/classes").toAbsolutePath();
        for (int run = 0; run < 2; run++) {
            assertEquals(EXPECTED, java("--enable-native-access=io.ipc4j", "-p", modulePath,
                    "-m", "io.ipc4j.examples/io.ipc4j.examples.Hello"));
        }
        assertNothingLeft();
    }

    @Test
    void runsOnTheClassPath() throws Exception {
        String classPath = ipc4jCore() + File.pathSeparator + Path.of("target/classes").toAbsolutePath();
        for (int run = 0; run < 2; run++) {
            assertEquals(EXPECTED, java("--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                    "io.ipc4j.examples.Hello"));
        }
        assertNothingLeft();
    }

    /** ipc4j-core as this build resolved it: the jar from ~/.m2 (or the reactor's, inside the ipc4j build). */
    private static String ipc4jCore() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.contains("ipc4j-core") && !entry.contains("tests"))
                .findFirst().orElseThrow(() -> new AssertionError("ipc4j-core is not on the test class path"));
    }

    private static List<String> java(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
        return output.lines().toList();
    }

    private static void assertNothingLeft() throws Exception {
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), shm.map(f -> f.getFileName().toString())
                    .filter(name -> name.contains("ipc4j-example")).toList());
        }
    }
}
