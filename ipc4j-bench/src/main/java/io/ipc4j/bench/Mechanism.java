package io.ipc4j.bench;

import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An IPC mechanism the bench measures: how to set it up in the parent, how the child process reaches it, and
 * what it cannot do on this machine.
 */
public interface Mechanism {
    /** Short id for --only and the results, e.g. {@code posix-mq}. */
    String id();

    /** What the table shows, e.g. {@code POSIX message queue}. */
    String title();

    /** False for wake-up primitives that carry no bytes (futex, semaphores, a flag). */
    default boolean carriesPayload() {
        return true;
    }

    /** The {@link #planScale()} of mechanisms that spin on shared memory. */
    int SPINNING_PLAN_SCALE = 20;

    /**
     * How many times the plan's counts (warm-up, round trips, stream) this mechanism runs; the C reference runs
     * the same. Mechanisms that spin on shared memory answer within a microsecond: the JIT needs more round trips
     * before the code measured is the compiled one, and a stream needs more messages to last long enough to be
     * measured (a 200,000-message stream of 64 B lasts a few milliseconds).
     */
    default int planScale() {
        return 1;
    }

    /** Whether streaming throughput means something (false for UDP: no flow control, loss instead). */
    default Optional<String> noThroughputBecause() {
        return Optional.empty();
    }

    /** Why it cannot run at all here (not built yet, needs two CPUs...), or empty. */
    default Optional<String> unavailableBecause() {
        return Optional.empty();
    }

    /** Why it cannot carry {@code size}-byte messages here (a kernel limit, with where to raise it), or empty. */
    default Optional<String> cannotCarry(int size) {
        return Optional.empty();
    }

    /** Creates the kernel objects for one run in the parent; {@code sizes} are the sizes that will be sent. */
    Session open(Path workDirectory, List<Integer> sizes) throws IOException;

    /** The child's side, from the arguments its {@link Session} gave it. */
    Endpoint childEndpoint(List<String> arguments) throws IOException;

    /** The parent's resources for one run. Closing removes every kernel object it made. */
    interface Session extends AutoCloseable {
        /** Arguments for {@link #childEndpoint}. */
        List<String> childArguments();

        /** Descriptors the child inherits, and the like. */
        default void prepare(Spawn child) throws IOException {
        }

        /** Called once the child is started: closes what the child now owns, connects, and so on. */
        Endpoint parentEndpoint() throws IOException;

        @Override
        void close() throws IOException;
    }
}
