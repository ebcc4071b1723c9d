package io.ipc4j.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Peers in other languages: C programs (see {@link CPrograms}) and Python scripts in src/test/python, run with
 * Debian's /usr/bin/python3, whose dist-packages hold the python3-* modules (a python3 earlier on PATH, such
 * as pyenv's, would not see them). A running peer's output is read line by line with bounded waits.
 */
public final class Peers implements AutoCloseable {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();

    private Peers(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the peer is gone
            }
        }, "peer-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts src/test/python/SCRIPT.py; skips (fails under CI) if Debian's python3 lacks {@code module}. */
    public static Peers python(String script, String module, String debianPackage, String... args)
            throws IOException, InterruptedException {
        boolean present = Files.isExecutable(PYTHON) && imports(module);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("/usr/bin/python3 cannot import " + module + ": .ci/run installs " + debianPackage);
        }
        assumeTrue(present, "/usr/bin/python3 cannot import " + module + " (apt-get install " + debianPackage
                + "): the Python peer test cannot run");
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(),
                Path.of("src/test/python", script + ".py").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return new Peers(command);
    }

    /** Whether Debian's python3 can import {@code module} (asked with a bounded wait). */
    private static boolean imports(String module) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import " + module).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    /** Starts the C program src/test/c/NAME.c, compiled on first use. */
    public static Peers c(String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CPrograms.compile(name).toString()));
        command.addAll(List.of(args));
        return new Peers(command);
    }

    /** The next line the peer prints, waiting at most {@code timeout}. */
    public String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(line, "the peer printed no line in " + timeout + "; so far: " + all);
        all.append(line).append('\n');
        return line;
    }

    /** The peer's process id. */
    public long pid() {
        return process.pid();
    }

    /** Waits for the peer to end (at most {@code timeout}) and checks that it succeeded. */
    public void awaitSuccess(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("the peer did not finish in " + timeout + "; it printed: " + all + lines);
        }
        assertEquals(0, process.exitValue(), "the peer failed; it printed: " + all + lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
