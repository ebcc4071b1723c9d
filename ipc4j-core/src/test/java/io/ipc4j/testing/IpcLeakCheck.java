package io.ipc4j.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Fails a test that leaves a kernel object behind: a POSIX queue, shared memory segment or semaphore, a
 * System V queue, segment or semaphore set, or any file (FIFO, socket file) in the test's scratch directory.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final IpcLeakCheck LEAKS = new IpcLeakCheck();
 * ... Fifo.create(LEAKS.scratch().resolve("f")) ...
 * }</pre>
 *
 * The scratch directory is made anew for each test (not a JUnit @TempDir, which would quietly delete what a
 * test forgot) and removed after it. What a test leaked is reported as a failure, then removed, so that one
 * failing test does not litter the machine for the next.
 */
public final class IpcLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private Set<String> before;
    private Path scratch;

    /** This test's scratch directory, for FIFOs and socket files; it must be empty when the test ends. */
    public Path scratch() {
        if (scratch == null) {
            throw new IllegalStateException("scratch() is available inside a test only");
        }
        return scratch;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        before = snapshot();
        scratch = Files.createTempDirectory(Path.of("/tmp"), "ipc4j-test-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> left = Files.list(scratch)) {
            left.forEach(p -> leaks.add("file left in scratch directory: " + p));
        }
        Set<String> after = snapshot();
        after.removeAll(before);
        leaks.addAll(after);
        try (Stream<Path> left = Files.list(scratch)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(scratch);
        scratch = null;
        after.forEach(IpcLeakCheck::removeQuietly);
        if (!leaks.isEmpty()) {
            throw new AssertionError("the test left IPC objects behind:\n  " + String.join("\n  ", leaks));
        }
    }

    /** Removes a leaked object after reporting it, so one failed test does not litter the machine. */
    private static void removeQuietly(String leak) {
        try {
            if (leak.startsWith("System V ")) {
                int id = Integer.parseInt(leak.substring(leak.lastIndexOf("id=") + 3));
                switch (leak.substring(9, 12)) {
                    case "msg" -> io.ipc4j.mq.SysVMessageQueue.ofId(id).remove();
                    case "shm" -> io.ipc4j.shm.SysVSharedMemory.ofId(id).remove();
                    case "sem" -> io.ipc4j.sync.SysVSemaphoreSet.ofId(id).remove();
                    default -> { }
                }
            } else if (leak.startsWith("POSIX message queue /dev/mqueue/")) {
                io.ipc4j.mq.PosixMessageQueue.unlink("/" + leak.substring("POSIX message queue /dev/mqueue/".length()));
            } else if (leak.startsWith("POSIX shared memory or semaphore /dev/shm/")) {
                Files.deleteIfExists(Path.of("/dev/shm", leak.substring(leak.lastIndexOf('/') + 1)));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[IpcLeakCheck] could not remove " + leak + ": " + e);
        }
    }

    /** Every IPC object on the machine now, one line each. */
    public static Set<String> snapshot() {
        MqueueMount.ensure();
        Set<String> objects = new TreeSet<>();
        listDirectory(Path.of("/dev/shm"), "POSIX shared memory or semaphore /dev/shm/", objects);
        listDirectory(Path.of("/dev/mqueue"), "POSIX message queue /dev/mqueue/", objects);
        for (String kind : List.of("msg", "shm", "sem")) {
            Path table = Path.of("/proc/sysvipc", kind);
            if (Files.isReadable(table)) {
                try (Stream<String> lines = Files.lines(table)) {
                    lines.skip(1).map(String::trim).filter(l -> !l.isEmpty())
                            .map(l -> l.split("\\s+"))
                            .forEach(f -> objects.add("System V " + kind + " key=" + f[0] + " id=" + f[1]));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return objects;
    }

    private static void listDirectory(Path directory, String label, Set<String> into) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            entries.forEach(p -> into.add(label + p.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
