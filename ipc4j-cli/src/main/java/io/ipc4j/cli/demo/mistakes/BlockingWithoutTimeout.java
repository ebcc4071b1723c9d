package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** 1. A reader waits on a FIFO whose writer crashed before opening it. */
final class BlockingWithoutTimeout implements Mistake {
    private static final Duration SHOWN_STUCK = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Override
    public String name() {
        return "timeouts";
    }

    @Override
    public String title() {
        return "Blocking IPC without timeouts";
    }

    @Override
    public String explanation() {
        return "Opening a FIFO waits until the other side opens it too. If the writer crashed first, a reader "
                + "without a timeout waits forever, and so does everything behind it. With a timeout the reader "
                + "gets an error it can act on, here: find out that the writer is dead.";
    }

    @Override
    public Outcome run() throws IOException, InterruptedException {
        Outcome outcome = Outcome.of();
        Path dir = Files.createTempDirectory("ipc4j-mistake-1-");
        Fifo fifo = Fifo.create(dir.resolve("orders.fifo"));
        try (ChildProcess writer = Spawn.command("sleep", "60").start()) {
            writer.kill(); // the writer crashes before it ever opens the FIFO
            String death = writer.waitFor(Duration.ofSeconds(10)).toString();
            outcome.wrong().put("writer", "pid " + writer.pid() + ", " + death + " before opening the FIFO");
            long start = System.nanoTime();
            CompletableFuture<PipeReader> blocked = CompletableFuture.supplyAsync(() -> openForever(fifo));
            try {
                blocked.get(SHOWN_STUCK.toMillis(), TimeUnit.MILLISECONDS).close();
                outcome.wrong().put("result", "opened (unexpected)");
            } catch (TimeoutException stillBlocked) {
                outcome.wrong().put("result", "open(2) still blocked after " + Mistake.millisSince(start)
                        + " ms: abandoned here; a real program would hang forever");
                fifo.tryOpenWriter().ifPresent(io.ipc4j.pipe.PipeWriter::close); // release the stuck thread
                blocked.join().close();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            }
            start = System.nanoTime();
            try (PipeReader reader = fifo.openReader(TIMEOUT)) {
                outcome.right().put("result", "opened (unexpected): " + reader);
            } catch (IpcTimeoutException e) {
                outcome.right().put("result", "IpcTimeoutException after " + Mistake.millisSince(start) + " ms: "
                        + e.getMessage());
                outcome.right().put("diagnosis", "writer pid " + writer.pid() + " " + death
                        + ": report the dead peer instead of waiting");
            }
        } finally {
            fifo.remove();
            Files.delete(dir);
        }
        return outcome;
    }

    private static PipeReader openForever(Fifo fifo) {
        try {
            return fifo.openReader();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
