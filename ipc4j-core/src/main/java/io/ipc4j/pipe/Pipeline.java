package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A shell-like pipeline built from Java: each stage's stdout is the next stage's stdin, through anonymous
 * pipes, with no shell in between.
 *
 * <pre>{@code
 * Pipeline.Result r = Pipeline.parse("ls | grep .java | wc -l").directory(src).run(Duration.ofSeconds(10));
 * r.stdoutText();                 // "12\n"
 * r.stages().get(1).status();     // grep's exit status
 * r.stages().get(0).stderr();     // what ls printed to stderr
 * }</pre>
 *
 * <p>Each stage's stderr is captured separately. The pipeline's stdin is {@link #input(byte[])}, or empty.
 * The parent closes its copy of every pipe end it hands to a stage (otherwise a stage would never see end
 * of stream, the textbook's "unused pipe ends left open" mistake). Output is held in memory.
 *
 * <p>{@link #run} blocks the calling thread until every stage ends (waiting on pidfds, a native call that pins
 * a virtual thread's carrier); stdout and stderr are drained by platform threads of its own.
 */
public final class Pipeline {
    private final List<List<String>> stages;
    private Path directory;
    private byte[] input = new byte[0];

    private Pipeline(List<List<String>> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one command");
        }
        for (List<String> stage : stages) {
            if (stage.isEmpty()) {
                throw new IllegalArgumentException("empty command in pipeline " + stages);
            }
        }
        this.stages = List.copyOf(stages.stream().map(List::copyOf).toList());
    }

    /**
     * A pipeline of the given commands, each a program and its arguments.
     *
     * @param stages the programs, in pipeline order
     * @return a pipeline of the given commands, each a program and its arguments
     */
    @SafeVarargs
    public static Pipeline of(List<String>... stages) {
        List<List<String>> list = new ArrayList<>();
        for (List<String> stage : stages) {
            list.add(stage);
        }
        return new Pipeline(list);
    }

    /**
     * A pipeline of the given commands, each a program and its arguments.
     *
     * @param stages the programs, in pipeline order
     * @return a pipeline of the given commands, each a program and its arguments
     */
    public static Pipeline of(List<List<String>> stages) {
        return new Pipeline(stages);
    }

    /**
     * Parses {@code "ls -l | grep '.java' | wc -l"}: commands separated by {@code |}, words by white space,
     * with single and double quotes. No variables, globs or redirections: there is no shell.
     *
     * @param commandLine the command line
     * @return the pipeline, to configure and run
     */
    public static Pipeline parse(String commandLine) {
        return new Pipeline(CommandLine.split(commandLine));
    }

    /**
     * The working directory of every stage.
     *
     * @param directory the directory
     * @return the working directory of every stage
     */
    public Pipeline directory(Path directory) {
        this.directory = Objects.requireNonNull(directory);
        return this;
    }

    /**
     * What the first stage reads on stdin (default: nothing, end of stream at once).
     *
     * @param input the input
     * @return what the first stage reads on stdin
     */
    public Pipeline input(byte[] input) {
        this.input = input.clone();
        return this;
    }

    /**
     * Runs the pipeline to the end.
     *
     * @param timeout the longest this call waits
     * @return the {@code Result}
     * @throws IpcTimeoutException if it has not finished within {@code timeout}; every stage is then killed.
     */
    public Result run(Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        List<ChildProcess> children = new ArrayList<>();
        List<Drain> drains = new ArrayList<>();
        try (Pipe stdin = Pipe.open()) {
            PipeReader previous = stdin.reader();
            for (List<String> stage : stages) {
                Pipe out = Pipe.open();
                Pipe err = Pipe.open();
                Spawn spawn = Spawn.command(stage).stdin(previous).stdout(out.writer()).stderr(err.writer());
                if (directory != null) {
                    spawn.directory(directory);
                }
                try {
                    children.add(spawn.start());
                } finally {
                    previous.close();
                    out.writer().close();
                    err.writer().close();
                }
                drains.add(Drain.start(err.reader(), deadline));
                previous = out.reader();
            }
            Drain stdout = Drain.start(previous, deadline);
            Feed feed = Feed.start(stdin.writer(), input, deadline);
            List<Stage> results = new ArrayList<>();
            for (int i = 0; i < children.size(); i++) {
                ExitStatus status = children.get(i).waitFor(deadline.remaining());
                results.add(new Stage(stages.get(i), status, drains.get(i).text()));
            }
            feed.await();
            return new Result(stdout.bytes(), results);
        } catch (IpcTimeoutException e) {
            IpcTimeoutException timedOut = new IpcTimeoutException("pipeline " + this, timeout, 0);
            timedOut.initCause(e);
            throw timedOut;
        } finally {
            for (ChildProcess child : children) {
                child.close();
            }
        }
    }

    @Override
    public String toString() {
        return String.join(" | ", stages.stream().map(s -> String.join(" ", s)).toList());
    }

    /**
     * What a pipeline produced.
     *
     * @param stdout the last stage's stdout.
     * @param stages each stage's command, exit status and stderr, in order.
     */
    public record Result(byte[] stdout, List<Stage> stages) {
        /**
         * stdout as UTF-8 text.
         *
         * @return the last stage's standard output as UTF-8 text
         */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /**
         * Every stage exited with 0 (the shell's pipefail).
         *
         * @return every stage exited with 0
         */
        public boolean succeeded() {
            return stages.stream().allMatch(s -> s.status().succeeded());
        }
    }

    /**
     * One stage's outcome.
     *
     * @param command the program and its arguments.
     * @param status  how it ended.
     * @param stderr  what it wrote to stderr, as UTF-8 text.
     */
    public record Stage(List<String> command, ExitStatus status, String stderr) {
    }

    /** Reads a pipe to its end on a thread of its own, so that no stage blocks on a full pipe. */
    private static final class Drain {
        private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
        private final Thread thread;
        private IOException failure;

        private Drain(PipeReader reader, Deadline deadline) {
            this.thread = Thread.ofPlatform().daemon().name("ipc4j-pipeline-drain").unstarted(() -> {
                try (reader) {
                    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                    while (reader.read(buffer.clear(), deadline.remaining()) >= 0) {
                        collected.write(buffer.array(), 0, buffer.position());
                    }
                } catch (IOException e) {
                    failure = e;
                }
            });
        }

        static Drain start(PipeReader reader, Deadline deadline) {
            Drain drain = new Drain(reader, deadline);
            drain.thread.start();
            return drain;
        }

        byte[] bytes() throws IOException {
            join(thread);
            if (failure != null) {
                throw failure;
            }
            return collected.toByteArray();
        }

        String text() throws IOException {
            return new String(bytes(), StandardCharsets.UTF_8);
        }
    }

    /** Writes the input on a thread of its own, then closes the pipe: the first stage sees end of stream. */
    private static final class Feed {
        private final Thread thread;
        private IOException failure;

        private Feed(PipeWriter writer, byte[] input, Deadline deadline) {
            this.thread = Thread.ofPlatform().daemon().name("ipc4j-pipeline-feed").unstarted(() -> {
                try (writer) {
                    writer.write(ByteBuffer.wrap(input), deadline.remaining());
                } catch (io.ipc4j.PeerClosedException e) {
                    // The first stage stopped reading (like head): as in a shell, not an error.
                } catch (IOException e) {
                    failure = e;
                }
            });
        }

        static Feed start(PipeWriter writer, byte[] input, Deadline deadline) {
            Feed feed = new Feed(writer, input, deadline);
            feed.thread.start();
            return feed;
        }

        void await() throws IOException {
            join(thread);
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static void join(Thread thread) throws IOException {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running a pipeline");
        }
    }
}
