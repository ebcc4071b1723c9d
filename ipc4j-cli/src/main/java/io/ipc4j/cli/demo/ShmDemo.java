package io.ipc4j.cli.demo;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The textbook's shared memory example, done across two real processes with the synchronisation it needs:
 * a writer process fills a shared slot, a reader process empties it, and two semaphores take turns ("empty"
 * and "full") so that nothing is read half-written or overwritten unread.
 */
@Command(name = "shm", mixinStandardHelpOptions = true,
        description = "A writer and a reader process share memory, taking turns with two semaphores.")
public final class ShmDemo implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--messages", converter = Ranges.Positive.class, defaultValue = "3", description = "How many messages (default 3).")
    private int messages;

    @Override
    public Integer call() throws IOException {
        String name = "/ipc4j-demo-shm-" + Spawn.currentPid();
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install()
                .add("unlink " + name, () -> SharedMemory.unlink(name))
                .add("unlink " + name + "-empty", () -> PosixSemaphore.unlink(name + "-empty"))
                .add("unlink " + name + "-full", () -> PosixSemaphore.unlink(name + "-full"));
        try (SharedMemory shm = SharedMemory.create(name, 4096);
             PosixSemaphore empty = PosixSemaphore.create(name + "-empty", 1);
             PosixSemaphore full = PosixSemaphore.create(name + "-full", 0)) {
            Say.parent("created shared memory %s (4096 bytes) and semaphores empty=1, full=0", name);
            try (ChildProcess writer = Spawn.java(Writer.class.getName(), name, String.valueOf(messages)).start()) {
                cleanup.closeOnExit("stop the writer", writer);
                Say.parent("started writer process %d; this process reads", writer.pid());
                for (int i = 0; i < messages; i++) {
                    full.acquire(TIMEOUT);
                    Say.parent("read \"%s\" from shared memory", shm.segment().getString(0));
                    empty.release();
                }
                ExitStatus status = writer.waitFor(TIMEOUT);
                Say.parent("writer %d ended: %s", writer.pid(), status);
                return status.succeeded() ? 0 : 1;
            }
        } finally {
            cleanup.runNow();
            Say.parent("unlinked the segment and both semaphores: they outlive processes otherwise");
        }
    }

    /** The writer process: args are the shared memory name and the message count. */
    public static final class Writer {
        public static void main(String[] args) throws IOException {
            String name = args[0];
            try (SharedMemory shm = SharedMemory.open(name);
                 PosixSemaphore empty = PosixSemaphore.open(name + "-empty");
                 PosixSemaphore full = PosixSemaphore.open(name + "-full")) {
                for (int i = 1; i <= Integer.parseInt(args[1]); i++) {
                    empty.acquire(TIMEOUT);
                    String message = "Hello from shared memory, message " + i;
                    shm.segment().setString(0, message);
                    Say.child("wrote \"%s\"", message);
                    full.release();
                }
            }
        }
    }
}
