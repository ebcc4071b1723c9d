package io.ipc4j.cli.demo;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The textbook's anonymous pipe example, done right in Java: the parent creates two pipes, starts a child JVM
 * that inherits one end of each (ProcessBuilder cannot do this), closes its copies of the child's ends,
 * and exchanges lines with it.
 */
@Command(name = "pipe", mixinStandardHelpOptions = true,
        description = "Parent and child JVM talk over two anonymous pipes inherited at fds 3 and 4.")
public final class PipeDemo implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--messages", converter = Ranges.Positive.class, defaultValue = "3", description = "How many messages to send (default 3).")
    private int messages;

    @Override
    public Integer call() throws IOException {
        try (Pipe toChild = Pipe.open(); Pipe fromChild = Pipe.open()) {
            Say.parent("created pipe to child (%s) and pipe from child (%s)", toChild, fromChild);
            try (ChildProcess child = Spawn.java(Child.class.getName())
                    .inherit(toChild.reader(), 3).inherit(fromChild.writer(), 4).start()) {
                Say.parent("started child pid %d: its fd 3 reads our first pipe, its fd 4 writes the second",
                        child.pid());
                toChild.reader().close();
                fromChild.writer().close();
                Say.parent("closed our copies of the child's ends (else the child would never see end of stream)");
                exchange(toChild.writer(), fromChild.reader());
                toChild.writer().close();
                Say.parent("closed the writing end: the child reads end of stream");
                String last = readLine(fromChild.reader());
                Say.parent("child said: \"%s\"", last);
                ExitStatus status = child.waitFor(TIMEOUT);
                Say.parent("child %d ended: %s", child.pid(), status);
                return status.succeeded() ? 0 : 1;
            }
        }
    }

    private void exchange(PipeWriter out, PipeReader in) throws IOException {
        for (int i = 1; i <= messages; i++) {
            String message = "Hello from parent, message " + i;
            long start = System.nanoTime();
            out.write(StandardCharsets.UTF_8.encode(message + "\n"), TIMEOUT);
            Say.parent("-> \"%s\"", message);
            String reply = readLine(in);
            Say.parent("<- \"%s\" (round trip %.1f ms)", reply, (System.nanoTime() - start) / 1e6);
        }
    }

    /** Reads one line byte by byte, so nothing after it is consumed and lost. */
    static String readLine(PipeReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
        while (in.read(one.clear(), TIMEOUT) > 0) {
            if (one.get(0) == '\n') {
                return line.toString();
            }
            line.append((char) one.get(0));
        }
        return line.isEmpty() ? "<end of stream>" : line.toString();
    }

    /** The child JVM: reads lines on fd 3 and answers each, in upper case, on fd 4. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            try (PipeReader in = PipeReader.fromInherited(3); PipeWriter out = PipeWriter.fromInherited(4)) {
                Say.child("adopted inherited fds 3 (reader) and 4 (writer)");
                BufferedReader lines = new BufferedReader(new InputStreamReader(in.inputStream(TIMEOUT),
                        StandardCharsets.UTF_8));
                int count = 0;
                String line;
                while ((line = lines.readLine()) != null) {
                    count++;
                    Say.child("<- \"%s\", answering in upper case", line);
                    out.write(StandardCharsets.UTF_8.encode(line.toUpperCase() + "\n"), TIMEOUT);
                }
                Say.child("end of stream after %d messages: the parent closed its end", count);
                out.write(StandardCharsets.UTF_8.encode("bye after " + count + " messages\n"), TIMEOUT);
            }
        }
    }
}
