package io.ipc4j.cli.demo;

import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The textbook's FIFO example, done right: two processes that share nothing but a path; opens with timeouts
 * (no endless hang when the peer never comes), end of stream when the writer closes, and the FIFO removed.
 */
@Command(name = "fifo", mixinStandardHelpOptions = true,
        description = "A writer process and a reader process meet at a named pipe (FIFO).")
public final class FifoDemo implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--messages", converter = Ranges.Positive.class, defaultValue = "5", description = "How many messages the writer sends (default 5).")
    private int messages;

    @Override
    public Integer call() throws IOException {
        Path directory = Files.createTempDirectory("ipc4j-demo-fifo-");
        Path path = directory.resolve("demo.fifo");
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().deleteOnExit(directory).deleteOnExit(path);
        Fifo fifo = Fifo.create(path, 0600);
        Say.parent("created FIFO %s (mode 0600)", fifo.path());
        try (ChildProcess writer = Spawn.java(Writer.class.getName(), fifo.path().toString(),
                String.valueOf(messages)).start()) {
            cleanup.closeOnExit("stop the writer", writer);
            Say.parent("started writer process %d; it knows only the path", writer.pid());
            Say.parent("opening for reading: waits for a writer, at most %d s", TIMEOUT.toSeconds());
            try (PipeReader reader = fifo.openReader(TIMEOUT)) {
                Say.parent("opened: a writer is connected");
                BufferedReader lines = new BufferedReader(new InputStreamReader(reader.inputStream(TIMEOUT),
                        StandardCharsets.UTF_8));
                int count = 0;
                for (String line; (line = lines.readLine()) != null; ) {
                    count++;
                    Say.parent("<- \"%s\"", line);
                }
                Say.parent("end of stream after %d messages: every writer has closed", count);
            }
            ExitStatus status = writer.waitFor(TIMEOUT);
            Say.parent("writer %d ended: %s", writer.pid(), status);
            return status.succeeded() ? 0 : 1;
        } finally {
            cleanup.runNow();
            Say.parent("removed %s: a FIFO file outlives the processes that used it", fifo.path());
        }
    }

    /** The writer process: opens the FIFO by path and writes numbered messages. */
    public static final class Writer {
        public static void main(String[] args) throws IOException {
            Fifo fifo = Fifo.open(Path.of(args[0]));
            int messages = Integer.parseInt(args[1]);
            try (PipeWriter writer = fifo.openWriter(TIMEOUT)) {
                Say.child("opened %s for writing", fifo.path());
                for (int i = 0; i < messages; i++) {
                    String message = "Message " + i;
                    writer.write(StandardCharsets.UTF_8.encode(message + "\n"), TIMEOUT);
                    Say.child("-> \"%s\"", message);
                }
                Say.child("closing: the reader will see end of stream");
            }
        }
    }
}
