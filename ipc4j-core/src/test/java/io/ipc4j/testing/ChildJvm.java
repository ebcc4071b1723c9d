package io.ipc4j.testing;

import io.ipc4j.NativeDescriptor;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The project's test harness for crossing a real process boundary: runs a Java main in a child JVM on the
 * test class path (through ipc4j's own {@link Spawn}, so a child can inherit pipe ends and other descriptors
 * at chosen numbers), captures its stdout and stderr, and bounds every wait.
 *
 * <pre>{@code
 * try (ChildJvm.Running child = ChildJvm.of(Writer.class, "/tmp/f").inherit(pipe.writer(), 3).start()) {
 *     child.awaitLine(l -> l.equals("ready"), Duration.ofSeconds(20));
 *     ChildJvm.Result r = child.finish(Duration.ofSeconds(30));
 *     assertEquals(0, r.status().code(), r.describe());
 * }
 * }</pre>
 *
 * Closing a {@link Running} child kills it if it is still running: no test leaves a process behind.
 */
public final class ChildJvm {
    /** A JVM takes about a second to start here; bounds are generous so a loaded CI machine does not flake. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String mainClass;
    private final List<String> args;
    // No --add-exports: the apps read peer credentials from ipc4j's own sockets (#17), so children need none.
    private final List<String> jvmOptions = new ArrayList<>(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
    private final Map<Integer, NativeDescriptor> inherited = new LinkedHashMap<>();
    private final List<String> prefix = new ArrayList<>();

    private ChildJvm(String mainClass, List<String> args) {
        this.mainClass = mainClass;
        this.args = args;
    }

    public static ChildJvm of(Class<?> main, String... args) {
        return new ChildJvm(main.getName(), Arrays.asList(args));
    }

    /** Full JIT: for children that move a lot of data. */
    public ChildJvm fullJit() {
        jvmOptions.remove("-XX:TieredStopAtLevel=1");
        return this;
    }

    /** The child gets {@code descriptor} as its descriptor {@code childFd}. */
    public ChildJvm inherit(NativeDescriptor descriptor, int childFd) {
        inherited.put(childFd, descriptor);
        return this;
    }

    /**
     * Runs the child as the user nobody (uid 65534) through util-linux's setpriv, for tests that must meet
     * permission checks, which root ignores. Its class path is a world-readable copy of the class path's
     * directories, since the build's own may sit in a directory only root can enter.
     */
    public ChildJvm asNobody() {
        prefix.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        copyClassPath = true;
        return this;
    }

    private boolean copyClassPath;

    /** Adds a JVM option, e.g. a system property. */
    public ChildJvm jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** Runs the child through a wrapper command, e.g. util-linux's {@code unshare --pid --fork --mount-proc}. */
    public ChildJvm wrappedIn(String... command) {
        prefix.addAll(0, List.of(command));
        return this;
    }

    /** Runs the child on these CPUs only (util-linux taskset, e.g. "0"): the JVM then sees that many CPUs. */
    public ChildJvm onCpus(String cpuList) {
        prefix.addAll(0, List.of("/usr/bin/taskset", "-c", cpuList));
        return this;
    }

    public Running start() throws IOException {
        Pipe out = Pipe.open();
        Pipe err = Pipe.open();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(Spawn.java(jvmOptions, mainClass, args).commandLine());
        Path copy = copyClassPath ? ReadableClassPath.copyInto(command) : null;
        Spawn spawn = Spawn.command(command).stdout(out.writer()).stderr(err.writer());
        for (var entry : inherited.entrySet()) {
            spawn.inherit(entry.getValue(), entry.getKey());
        }
        try {
            return new Running(spawn.start(), out.reader(), err.reader(), copy);
        } catch (IOException | RuntimeException e) {
            out.close();
            err.close();
            ReadableClassPath.delete(copy);
            throw e;
        } finally {
            out.writer().close();
            err.writer().close();
        }
    }

    /** Starts the child and waits for it to end. */
    public Result run(Duration timeout) throws IOException, TimeoutException {
        try (Running running = start()) {
            return running.finish(timeout);
        }
    }

    /** A started child. */
    public static final class Running implements AutoCloseable {
        private final ChildProcess process;
        private final Collector stdout;
        private final Collector stderr;
        private final Path classPathCopy;

        Running(ChildProcess process, PipeReader out, PipeReader err, Path classPathCopy) {
            this.process = process;
            this.classPathCopy = classPathCopy;
            this.stdout = new Collector(out, "stdout of " + process.pid());
            this.stderr = new Collector(err, "stderr of " + process.pid());
        }

        public int pid() {
            return process.pid();
        }

        public ChildProcess process() {
            return process;
        }

        /** Waits for a stdout line matching {@code wanted}; fails with everything the child printed. */
        public String awaitLine(Predicate<String> wanted, Duration timeout) throws TimeoutException {
            try {
                return stdout.awaitLine(wanted, timeout);
            } catch (TimeoutException e) {
                TimeoutException detailed = new TimeoutException(e.getMessage() + "\n" + describe());
                detailed.initCause(e);
                throw detailed;
            }
        }

        /** Waits for the child to end and for its output to be read to the end. */
        public Result finish(Duration timeout) throws IOException, TimeoutException {
            ExitStatus status;
            try {
                status = process.waitFor(timeout);
            } catch (io.ipc4j.IpcTimeoutException e) {
                throw new TimeoutException("child " + process + " still running after " + timeout + "\n"
                        + describe());
            }
            stdout.join(timeout);
            stderr.join(timeout);
            return new Result(status, stdout.text(), stderr.text());
        }

        String describe() {
            return "--- child stdout ---\n" + stdout.text() + "--- child stderr ---\n" + stderr.text();
        }

        @Override
        public void close() {
            process.close();
            stdout.close();
            stderr.close();
            ReadableClassPath.delete(classPathCopy);
        }
    }

    /**
     * How a child ended and what it printed.
     *
     * @param status how it ended.
     * @param stdout everything it wrote to stdout.
     * @param stderr everything it wrote to stderr.
     */
    public record Result(ExitStatus status, String stdout, String stderr) {
        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        /** For assertion messages. */
        public String describe() {
            return status + "\n--- child stdout ---\n" + stdout + "--- child stderr ---\n" + stderr;
        }
    }

    /** Reads one output stream to its end on a thread of its own. */
    private static final class Collector {
        private final StringBuilder text = new StringBuilder();
        private final Thread thread;
        private final PipeReader reader;

        Collector(PipeReader reader, String name) {
            this.reader = reader;
            this.thread = Thread.ofPlatform().daemon().name(name).start(this::drain);
        }

        private void drain() {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            try (reader) {
                while (reader.read(buffer.clear()) >= 0) {
                    synchronized (this) {
                        text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    text.append("\n[harness: reading failed: ").append(e).append("]\n");
                }
            }
            synchronized (this) {
                notifyAll();
            }
        }

        synchronized String awaitLine(Predicate<String> wanted, Duration timeout) throws TimeoutException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String complete = text.toString();
                int end = complete.lastIndexOf('\n');
                if (end >= 0) {
                    for (String line : complete.substring(0, end).split("\n", -1)) {
                        if (wanted.test(line)) {
                            return line;
                        }
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new TimeoutException("no such line within " + timeout);
                }
                if (!thread.isAlive()) {
                    throw new TimeoutException("no such line: the child closed its stdout");
                }
                try {
                    wait(Math.max(1, remaining / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TimeoutException("interrupted");
                }
            }
        }

        void join(Duration timeout) throws TimeoutException {
            try {
                if (!thread.join(timeout)) {
                    throw new TimeoutException("child output not closed after " + timeout
                            + " (a grandchild still holds it?)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted");
            }
        }

        synchronized String text() {
            return text.toString();
        }

        void close() {
            reader.close();
        }
    }
}
