package io.ipc4j.process;

import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.internal.posix.PosixSpawn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Starts a child process that inherits chosen descriptors at chosen numbers: what a C program does with
 * fork, dup2 and exec, and what {@link ProcessBuilder} cannot do (it closes every descriptor above 2 in the
 * child).
 *
 * <pre>{@code
 * try (Pipe pipe = Pipe.open();
 *      ChildProcess child = Spawn.java(Worker.class.getName()).inherit(pipe.writer(), 3).start()) {
 *     pipe.writer().close();                 // the child has its own copy
 *     ... pipe.reader().read(buffer, Duration.ofSeconds(5)) ...
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>The child has exactly the descriptors asked for above 2, and stdin, stdout and stderr as asked (else
 * this JVM's). Nothing else of this process leaks into it, whether or not it was opened close-on-exec.</li>
 * <li>A descriptor handed to a child is blocking in the child, because most programs expect that. A pipe or
 * FIFO end gets an open file description of its own (reopened through /proc/self/fd), so the parent's end
 * keeps its mode and its timeouts; a socket's copy shares the parent's description, which becomes blocking.
 * Close the parent's copy of an end the child now owns, or the reader of a pipe never sees end of
 * stream.</li>
 * <li>The child starts with no blocked signals and default signal dispositions. It runs posix_spawnp(3),
 * so {@link #start()} throws at once if the program cannot be executed.</li>
 * </ul>
 */
public final class Spawn {
    private final List<String> command;
    private final Map<Integer, Integer> descriptors = new LinkedHashMap<>();
    private final Map<String, String> environment = new HashMap<>(System.getenv());
    private Path directory;
    private boolean newProcessGroup;

    private Spawn(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command: give at least the program name");
        }
        this.command = List.copyOf(command);
    }

    /**
     * A program (found on PATH when it has no slash) and its arguments.
     *
     * @param command the program and its arguments
     * @return a program
     */
    public static Spawn command(String... command) {
        return new Spawn(List.of(command));
    }

    /**
     * A program (found on PATH when it has no slash) and its arguments.
     *
     * @param command the program and its arguments
     * @return a program
     */
    public static Spawn command(List<String> command) {
        return new Spawn(command);
    }

    /**
     * A child JVM running {@code mainClass} with this JVM's java, class path and module path, and native
     * access enabled, so the child can use ipc4j too.
     *
     * @param mainClass the class whose {@code main} runs
     * @param args the arguments
     * @return a child JVM running {@code mainClass} with this JVM's java, class path and module path, and native access enabled, so the child can use ipc4j too
     */
    public static Spawn java(String mainClass, String... args) {
        return java(List.of(), mainClass, List.of(args));
    }

    /**
     * As {@link #java(String, String...)}, with extra JVM options (e.g. {@code -Xmx64m}).
     *
     * @param jvmOptions options for the child JVM
     * @param mainClass the class whose {@code main} runs
     * @param args the arguments
     * @return the spawn, to configure and start
     */
    public static Spawn java(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(JavaCommand.current());
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(args);
        return new Spawn(command);
    }

    /**
     * The child's stdin is {@code source} (a pipe reader, a file, a socket...).
     *
     * @param source the source
     * @return the child's stdin is {@code source}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Spawn stdin(NativeDescriptor source) throws IOException {
        return inherit(source, 0);
    }

    /**
     * The child's stdout is {@code sink}.
     *
     * @param sink where the output goes
     * @return the child's stdout is {@code sink}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Spawn stdout(NativeDescriptor sink) throws IOException {
        return inherit(sink, 1);
    }

    /**
     * The child's stderr is {@code sink}.
     *
     * @param sink where the output goes
     * @return the child's stderr is {@code sink}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Spawn stderr(NativeDescriptor sink) throws IOException {
        return inherit(sink, 2);
    }

    /**
     * The child has {@code descriptor} as its descriptor number {@code childFd}.
     *
     * @param descriptor the descriptor
     * @param childFd the descriptor number it gets in the child
     * @return the child has {@code descriptor} as its descriptor number {@code childFd}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Spawn inherit(NativeDescriptor descriptor, int childFd) throws IOException {
        return inherit(descriptor.fd(), childFd);
    }

    /**
     * The child has this process's descriptor {@code parentFd} as its number {@code childFd}.
     *
     * @param parentFd the descriptor in this process
     * @param childFd the descriptor number it gets in the child
     * @return the child has this process's descriptor {@code parentFd} as its number {@code childFd}
     */
    public Spawn inherit(int parentFd, int childFd) {
        if (childFd < 0 || parentFd < 0) {
            throw new IllegalArgumentException("descriptor numbers are >= 0: " + parentFd + " -> " + childFd);
        }
        descriptors.put(childFd, parentFd);
        return this;
    }

    /**
     * The child's working directory.
     *
     * @param directory the directory
     * @return the child's working directory
     */
    public Spawn directory(Path directory) {
        this.directory = Objects.requireNonNull(directory);
        return this;
    }

    /**
     * Sets (or, with a null value, removes) one environment variable of the child.
     *
     * @param name its name
     * @param value the value
     * @return this, for chaining
     */
    public Spawn environment(String name, String value) {
        if (value == null) {
            environment.remove(name);
        } else {
            environment.put(name, value);
        }
        return this;
    }

    /**
     * Puts the child in a new process group, so it and its own children can be signalled together.
     *
     * @return this, for chaining
     */
    public Spawn newProcessGroup() {
        this.newProcessGroup = true;
        return this;
    }

    /**
     * Starts the child.
     *
     * @return the {@code ChildProcess}
     * @throws java.nio.file.NoSuchFileException if the program or the working directory does not exist.
     */
    public ChildProcess start() throws IOException {
        int pid = PosixSpawn.spawn(command, environment, directory == null ? null : directory.toString(),
                descriptors, newProcessGroup);
        return new ChildProcess(pid, command);
    }

    /**
     * The program and its arguments, as they will be executed.
     *
     * @return the program and its arguments, as they will be executed
     */
    public List<String> commandLine() {
        return command;
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }

    /**
     * This process's pid.
     *
     * @return this process's pid
     */
    public static int currentPid() {
        return ProcessCalls.getpid();
    }
}
