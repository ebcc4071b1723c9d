package io.ipc4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A call made on a platform thread of its own, returned once that thread is seen asleep in a given kernel
 * function ({@link KernelWait}): for tests that end a blocked call from outside (a close, an interrupt, data)
 * and must first know it is blocked, and where.
 *
 * @param thread  the thread making the call
 * @param tid     its kernel thread id
 * @param outcome what the call returned or threw
 */
public record BlockedCall(Thread thread, long tid, CompletableFuture<Object> outcome) {
    /** How long each step may take: the call to block, then to end. */
    public static final Duration LIMIT = Duration.ofSeconds(10);

    /** The call, made on the thread. */
    @FunctionalInterface
    public interface Call {
        Object call() throws IOException;
    }

    /** Starts {@code call} and returns once its thread sleeps in a kernel function matching {@code wchan}. */
    public static BlockedCall start(String wchan, Call call) throws Exception {
        CompletableFuture<Long> tid = new CompletableFuture<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("blocked-call").start(() -> {
            try {
                tid.complete(KernelWait.currentTid());
                outcome.complete(call.call());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        long id = tid.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        KernelWait.awaitSleepingIn(ProcessHandle.current().pid(), id, wchan, LIMIT);
        return new BlockedCall(thread, id, outcome);
    }

    /**
     * The system call the thread is in, as /proc/self/task/TID/syscall shows it: its number, then its six
     * arguments in hexadecimal, then the stack and instruction pointers.
     */
    public String[] syscall() throws IOException {
        return Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim().split(" ");
    }

    /** What the call returned, once it has. */
    public Object result() throws Exception {
        return outcome.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** What the call threw, once it has; fails if it returned or is still blocked. */
    public Throwable failure() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> outcome.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        thread.join(LIMIT);
        return e.getCause();
    }
}
