package io.ipc4j.signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clean-up that runs exactly once, on TERM, INT or HUP and on a normal exit, then lets the process end.
 *
 * <pre>{@code
 * GracefulShutdown shutdown = GracefulShutdown.install();
 * shutdown.add("socket file", () -> Files.deleteIfExists(socketPath));
 * shutdown.add("queue", queue::unlink);
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>Actions run in the reverse order they were added (the last resource opened is closed first, as
 * try-with-resources does), each once, even if TERM arrives twice or during a normal exit.</li>
 * <li>On a signal the process then exits with 128 + the signal's number (143 for TERM), as a shell reports a
 * death by that signal; JVM shutdown hooks run as usual.</li>
 * <li>An action that throws is reported on standard error; the others still run.</li>
 * <li>Nothing can run on SIGKILL or a power cut: objects those leave behind are what {@code ipc4j clean}
 * is for.</li>
 * <li>One instance per process: {@link #install()} returns the same one each time.</li>
 * </ul>
 */
public final class GracefulShutdown {
    private static GracefulShutdown instance;

    private final List<Action> actions = new ArrayList<>();
    private final AtomicBoolean ran = new AtomicBoolean();
    private final List<SignalHandlers.Registration> registrations = new ArrayList<>();

    /** A clean-up step. */
    @FunctionalInterface
    public interface Cleanup {
        /**
         * Cleans up.
         *
         * @throws Exception if it fails: reported, and the other steps still run
         */
        void run() throws Exception;
    }

    private record Action(String name, Cleanup cleanup) {
    }

    private GracefulShutdown() {
    }

    /**
     * Installs the handlers for TERM, INT and HUP and a JVM shutdown hook, once per process.
     *
     * @return the {@code GracefulShutdown}
     */
    public static synchronized GracefulShutdown install() {
        if (instance == null) {
            GracefulShutdown s = new GracefulShutdown();
            for (Signal signal : List.of(Signal.TERM, Signal.INT, Signal.HUP)) {
                s.registrations.add(SignalHandlers.register(signal, s::onSignal));
            }
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("ipc4j-shutdown").unstarted(s::runNow));
            instance = s;
        }
        return instance;
    }

    /**
     * Adds a clean-up step; {@code name} appears in the report if it fails.
     *
     * @param name its name
     * @param cleanup what to run
     * @return the {@code GracefulShutdown}
     */
    public synchronized GracefulShutdown add(String name, Cleanup cleanup) {
        actions.add(new Action(Objects.requireNonNull(name, "name"), Objects.requireNonNull(cleanup, "cleanup")));
        return this;
    }

    /**
     * Adds a step that closes {@code resource}.
     *
     * @param name its name
     * @param resource the resource
     * @return the {@code GracefulShutdown}
     */
    public GracefulShutdown closeOnExit(String name, AutoCloseable resource) {
        return add(name, resource::close);
    }

    /**
     * Adds a step for as long as the returned guard is open: close the guard once the resource was cleaned up
     * the normal way, and the step is dropped (it neither runs later nor piles up). For code that opens and
     * closes named objects many times in one process, such as a benchmark's sessions.
     *
     * <pre>{@code
     * try (Session s = open(); AutoCloseable onSignal = shutdown.whileOpen("close session", s::close)) { ... }
     * }</pre>
     *
     * @param name its name
     * @param cleanup what to run
     * @return the guard: close it once the resource was cleaned up the normal way, and the step is dropped
     */
    public synchronized Guard whileOpen(String name, Cleanup cleanup) {
        Action action = new Action(Objects.requireNonNull(name, "name"), Objects.requireNonNull(cleanup, "cleanup"));
        actions.add(action);
        return () -> {
            synchronized (GracefulShutdown.this) {
                actions.remove(action);
            }
        };
    }

    /** Drops a step added by {@link #whileOpen}. Idempotent; throws nothing. */
    @FunctionalInterface
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Adds a step that deletes {@code file} (a socket file, a FIFO, a lock file) if it is there.
     *
     * @param file the file
     * @return the {@code GracefulShutdown}
     */
    public GracefulShutdown deleteOnExit(Path file) {
        return add("delete " + file, () -> Files.deleteIfExists(file));
    }

    /**
     * Runs the clean-up now, if it has not run yet; later calls, signals and the exit do nothing more.
     *
     * @return whether this call ran it.
     */
    public boolean runNow() {
        if (!ran.compareAndSet(false, true)) {
            return false;
        }
        List<Action> steps;
        synchronized (this) {
            steps = new ArrayList<>(actions);
        }
        for (Action step : steps.reversed()) {
            try {
                step.cleanup().run();
            } catch (Exception | Error e) {
                System.err.println("[ipc4j] clean-up step '" + step.name() + "' failed: " + e);
            }
        }
        return true;
    }

    /**
     * Whether the clean-up has run.
     *
     * @return whether the clean-up has run
     */
    public boolean hasRun() {
        return ran.get();
    }

    private void onSignal(Signal signal) {
        // Exit first and let the shutdown hook run the clean-up: a main thread that ends because the clean-up
        // stopped its work would otherwise race this exit and end the process with status 0.
        Runtime.getRuntime().exit(128 + signal.number());
    }
}
