package io.ipc4j.cli.demo;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.signal.QueuedSignal;
import io.ipc4j.signal.Signal;
import io.ipc4j.signal.SignalHandlers;
import io.ipc4j.signal.SignalReceiver;
import io.ipc4j.signal.Signals;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The textbook's signal example across two real processes: a handler for USR1 that runs as ordinary Java
 * code, real-time signals that carry a value (which the textbook's handler cannot see), and TERM running a
 * clean-up exactly once before the process exits.
 */
@Command(name = "signal", mixinStandardHelpOptions = true,
        description = "Send USR1, queued real-time signals with values, then TERM to a child JVM that handles them.")
public final class SignalDemo implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Integer call() throws IOException {
        Path lockFile = Files.createTempFile("ipc4j-demo-signal-", ".lock");
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().deleteOnExit(lockFile);
        try (Pipe ready = Pipe.open();
             ChildProcess child = Spawn.java(Child.class.getName(), lockFile.toString())
                     .inherit(ready.writer(), 3).start()) {
            cleanup.closeOnExit("stop the child", child);
            ready.writer().close();
            BufferedReader steps = new BufferedReader(new InputStreamReader(ready.reader().inputStream(TIMEOUT),
                    StandardCharsets.UTF_8));
            steps.readLine();
            Say.parent("child %d is ready; kill -USR1 %d", child.pid(), child.pid());
            Signals.send(child.pid(), Signal.USR1);
            steps.readLine();
            for (int value : new int[] {100, 200, 300}) {
                Say.parent("sigqueue(%d, SIGRTMIN+1, %d)", child.pid(), value);
                Signals.queue(child.pid(), Signal.realtime(1), value);
            }
            steps.readLine();
            Say.parent("kill -TERM %d", child.pid());
            Signals.send(child.pid(), Signal.TERM);
            ExitStatus status = child.waitFor(TIMEOUT);
            Say.parent("child ended: %s (128 + 15: it exited because of TERM, after its clean-up)", status);
            Say.parent("the child's lock file %s: %s", lockFile, Files.exists(lockFile) ? "still there!" : "removed");
            return status.code() == 143 && !Files.exists(lockFile) ? 0 : 1;
        } finally {
            cleanup.runNow();
        }
    }

    /** The child: handles USR1, receives three queued signals, and cleans up on TERM. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path lockFile = Path.of(args[0]);
            GracefulShutdown.install()
                    .add("say goodbye", () -> Say.child("TERM: clean-up runs once, then exit"))
                    .deleteOnExit(lockFile);
            try (PipeWriter steps = PipeWriter.fromInherited(3);
                 SignalReceiver receiver = SignalReceiver.open(Signal.realtime(1))) {
                var got = new java.util.concurrent.CountDownLatch(1);
                SignalHandlers.register(Signal.USR1, s -> {
                    Say.child("handler: %s, on thread %s (an ordinary Java thread)", s,
                            Thread.currentThread().getName());
                    got.countDown();
                });
                Say.child("pid %d handles USR1 and TERM, receives SIGRTMIN+1 with values", ProcessHandle.current().pid());
                step(steps);
                got.await();
                step(steps);
                for (int i = 0; i < 3; i++) {
                    QueuedSignal s = receiver.receive(TIMEOUT);
                    Say.child("received %s value=%d from pid %d (uid %d)", s.signal(), s.value(), s.senderPid(),
                            s.senderUid());
                }
                step(steps);
                Thread.sleep(TIMEOUT);
            }
        }

        private static void step(PipeWriter steps) throws IOException {
            steps.write("\n".getBytes(StandardCharsets.US_ASCII));
        }

        private Child() {
        }
    }
}
