package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** 2. The parent keeps its copy of the write end, so the reading child never sees end of stream. */
final class UnusedPipeEnds implements Mistake {
    private static final Duration SHOWN_STUCK = Duration.ofSeconds(2);

    @Override
    public String name() {
        return "pipe-ends";
    }

    @Override
    public String title() {
        return "Unused pipe ends left open";
    }

    @Override
    public String explanation() {
        return "A reader sees end of stream only when every copy of the write end is closed. Here a writer "
                + "process (printf) feeds a reader process (wc -c) through a pipe. If the parent that made the "
                + "pipe keeps its own copy of the write end, wc waits for more input forever.";
    }

    @Override
    public Outcome run() throws IOException {
        Outcome outcome = Outcome.of();
        try (Pipe pipe = Pipe.open(); Pipe out = Pipe.open()) {
            ChildProcess[] children = start(pipe, out);
            pipe.reader().close(); // the read end is closed, but the write end is forgotten
            children[0].waitFor(Duration.ofSeconds(10));
            long start = System.nanoTime();
            boolean ended = ended(children[1], SHOWN_STUCK);
            outcome.wrong().put("reader", ended ? "ended (unexpected)" : "wc still waiting " + Mistake.millisSince(start)
                    + " ms after the writer exited: no end of stream while the parent holds a write end");
            start = System.nanoTime();
            pipe.writer().close();
            children[1].waitFor(Duration.ofSeconds(10));
            outcome.wrong().put("after closing it", "wc ended " + Mistake.millisSince(start) + " ms later");
            closeAll(children);
            out.writer().close();
            out.reader().inputStream(Duration.ofSeconds(10)).readAllBytes();
        }
        try (Pipe pipe = Pipe.open(); Pipe out = Pipe.open()) {
            long start = System.nanoTime();
            ChildProcess[] children = start(pipe, out);
            pipe.reader().close();
            pipe.writer().close(); // the children have their copies; the parent needs none
            out.writer().close();
            String counted = new String(out.reader().inputStream(Duration.ofSeconds(10)).readAllBytes(),
                    StandardCharsets.UTF_8).strip();
            children[1].waitFor(Duration.ofSeconds(10));
            outcome.right().put("reader", "wc saw end of stream and printed " + counted + " (bytes) "
                    + Mistake.millisSince(start) + " ms after the start");
            closeAll(children);
        }
        return outcome;
    }

    private static ChildProcess[] start(Pipe pipe, Pipe out) throws IOException {
        ChildProcess writer = Spawn.command("printf", "hello").stdout(pipe.writer()).start();
        ChildProcess reader = Spawn.command("wc", "-c").stdin(pipe.reader()).stdout(out.writer()).start();
        return new ChildProcess[] {writer, reader};
    }

    private static boolean ended(ChildProcess child, Duration within) throws IOException {
        try {
            child.waitFor(within);
            return true;
        } catch (io.ipc4j.IpcTimeoutException e) {
            return false;
        }
    }

    private static void closeAll(ChildProcess[] children) {
        for (ChildProcess c : children) {
            c.close();
        }
    }
}
