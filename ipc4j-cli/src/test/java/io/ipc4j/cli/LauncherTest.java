package io.ipc4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ./ipc4j} launcher's command line for the JVM, read from a stand-in JDK whose java prints its
 * arguments, in a copy of the launcher beside a jar that is up to date (so it builds nothing).
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("..", "ipc4j").toAbsolutePath().normalize();

    @TempDir
    Path root;

    @Test
    void javaOptionsFromIpc4jJavaOptsGoBeforeTheJar() throws Exception {
        List<String> args = launch(Map.of("IPC4J_JAVA_OPTS", " -Xmx100m  -Dipc4j.test=1 "), "kv", "serve", "--x y");
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx100m", "-Dipc4j.test=1", "-jar",
                jar().toString(), "kv", "serve", "--x y"), args);
    }

    @Test
    void withoutThemTheJvmGetsOnlyNativeAccess() throws Exception {
        assertEquals(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar().toString(), "--version"),
                launch(Map.of(), "--version"));
    }

    private Path jar() {
        return root.resolve("ipc4j-cli/target/ipc4j.jar");
    }

    private List<String> launch(Map<String, String> env, String... commandArgs) throws Exception {
        Files.copy(LAUNCHER, root.resolve("ipc4j"));
        Files.createDirectories(jar().getParent());
        Files.write(jar(), new byte[0]); // newer than every source here (there are none): nothing to build
        Path jdk = Files.createDirectories(root.resolve("jdk/bin"));
        Files.writeString(jdk.resolveSibling("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("ipc4j").toString()));
        command.addAll(List.of(commandArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("IPC4J_JAVA_OPTS");
        pb.environment().put("JAVA_HOME", jdk.getParent().toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
