package io.ipc4j.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's fence around native access: the JDK's jnativescan lists every class of every module that calls
 * a restricted method (downcall linking, {@code reinterpret}) or declares a native method, and every one must
 * be in {@code io.ipc4j.internal}. Runs here, in the last module of the build, where every module's classes
 * are compiled.
 */
class RestrictedMethodsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void onlyTheInternalPackagesTouchNativeCode() throws Exception {
        String core = scan("--module-path", ROOT.resolve("ipc4j-core/target/classes").toString(),
                "--add-modules", "io.ipc4j");
        List<String> classes = classesNamed(core);
        assertTrue(classes.contains("io.ipc4j.internal.posix.Libc"), "the scan found no downcalls at all:\n" + core);
        List<String> outside = classes.stream().filter(c -> !c.startsWith("io.ipc4j.internal.")).toList();
        assertEquals(List.of(), outside, "restricted methods outside io.ipc4j.internal:\n" + core);
        for (String app : List.of("ipc4j-bench", "ipc4j-kv", "ipc4j-chat", "ipc4j-cli")) {
            Path classesDir = ROOT.resolve(app).resolve("target/classes");
            assertTrue(Files.isDirectory(classesDir), classesDir + " is not built");
            String found = scan("--class-path", classesDir.toString());
            assertEquals(List.of(), classesNamed(found), app + " calls restricted methods itself:\n" + found);
        }
    }

    /** The classes a jnativescan report names: its lines "  package.Class:" under each jar or directory. */
    private static List<String> classesNamed(String report) {
        List<String> classes = new ArrayList<>();
        for (String line : report.lines().toList()) {
            if (line.startsWith("  ") && !line.startsWith("   ") && line.endsWith(":")) {
                classes.add(line.strip().replaceAll(":$", ""));
            }
        }
        return classes;
    }

    private static String scan(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "jnativescan").toString());
        command.addAll(List.of(arguments));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jnativescan did not finish");
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
