package io.ipc4j.cli.demo;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.event.TimerFd;
import io.ipc4j.event.Trigger;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.signal.QueuedSignal;
import io.ipc4j.signal.Signal;
import io.ipc4j.signal.SignalReceiver;
import io.ipc4j.signal.Signals;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.UnixEndpoint;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * One thread waiting at once on six kinds of thing, which the textbook needs six threads or a poll(2) loop in
 * C for: a pipe from a child, a POSIX message queue, a Unix datagram socket, a queued signal, a timer and the
 * child's exit (its pidfd), all registered with one {@link EventLoop}.
 */
@Command(name = "loop", mixinStandardHelpOptions = true,
        description = "One thread waits on a pipe, a POSIX queue, a datagram socket, a queued signal, a timer and "
                + "a child's exit at once (epoll), printing each event as it happens.")
public final class LoopDemo implements Callable<Integer> {
    private static final Signal SIGNAL = Signal.realtime(2);
    private static final Duration TICK = Duration.ofMillis(250);

    private final long start = System.nanoTime();
    private final Set<String> seen = new TreeSet<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(256);

    @Override
    public Integer call() throws IOException {
        String queueName = "/ipc4j-demo-loop-" + Spawn.currentPid();
        String socketName = "ipc4j-demo-loop-" + Spawn.currentPid();
        GracefulShutdown cleanup = GracefulShutdown.install()
                .add("unlink " + queueName, () -> PosixMessageQueue.unlink(queueName));
        try (EventLoop loop = EventLoop.open();
             Pipe pipe = Pipe.open();
             PosixMessageQueue queue = PosixMessageQueue.create(queueName).maxMessages(4).messageSize(128).open();
             DatagramSocket socket = DatagramSocket.bind(UnixEndpoint.abstractName(socketName));
             SignalReceiver signals = SignalReceiver.open(SIGNAL);
             TimerFd timer = TimerFd.create(TimerFd.Clock.MONOTONIC);
             ChildProcess child = Spawn.java(Child.class.getName(), queueName, socketName, "" + Spawn.currentPid())
                     .inherit(pipe.writer(), 3).start()) {
            cleanup.closeOnExit("stop the child", child);
            pipe.writer().close();
            Say.parent("one thread, one epoll set: pipe, queue %s, socket @%s, %s, a %d ms timer, pid %d's exit",
                    queueName, socketName, SIGNAL, TICK.toMillis(), child.pid());
            loop.register(pipe.reader(), Interest.READ, Trigger.LEVEL, r -> onPipe(r, pipe.reader()));
            loop.register(queue, Interest.READ, Trigger.LEVEL, r -> onQueue(queue));
            loop.register(socket, Interest.READ, Trigger.LEVEL, r -> onSocket(socket));
            loop.register(signals, Interest.READ, Trigger.LEVEL, r -> onSignal(signals));
            loop.register(timer, Interest.READ, Trigger.LEVEL, r -> event("timer", "tick x" + timer.tryTake()));
            loop.register(child, Interest.READ, Trigger.LEVEL, r -> onExit(r, child, loop));
            timer.arm(TICK, TICK);
            loop.run();
            boolean all = seen.equals(Set.of("pipe", "queue", "socket", "signal", "timer", "exit"));
            Say.parent("saw %s: %s", seen, all ? "every kind, on one thread" : "something is missing!");
            return all ? 0 : 1;
        } finally {
            cleanup.runNow();
        }
    }

    private void event(String source, String what) {
        seen.add(source);
        Say.parent("+%4d ms  %-6s %s  [thread %s]", (System.nanoTime() - start) / 1_000_000, source, what,
                Thread.currentThread().getName());
    }

    private void onPipe(Registration r, PipeReader reader) throws IOException {
        int n = reader.readNow(buffer.clear());
        if (n < 0) {
            event("pipe", "end of stream (the child closed its end)");
            r.cancel();
        } else if (n > 0) {
            event("pipe", quoted(n));
        }
    }

    private void onQueue(PosixMessageQueue queue) throws IOException {
        int priority = queue.tryReceive(buffer.clear());
        if (priority >= 0) {
            event("queue", quoted(buffer.position()) + " priority " + priority);
        }
    }

    private void onSocket(DatagramSocket socket) throws IOException {
        int n = socket.receive(buffer.clear(), Duration.ZERO);
        event("socket", quoted(n));
    }

    private void onSignal(SignalReceiver signals) {
        QueuedSignal s = signals.poll();
        if (s != null) {
            event("signal", s.signal() + " value " + s.value() + " from pid " + s.senderPid());
        }
    }

    private void onExit(Registration r, ChildProcess child, EventLoop loop) throws IOException {
        event("exit", "pid " + child.pid() + " ended: " + child.waitFor(Duration.ofSeconds(5)));
        r.cancel();
        loop.schedule(TICK, loop::close); // one more tick, then stop
    }

    private String quoted(int n) {
        return "\"" + new String(buffer.array(), 0, n, StandardCharsets.UTF_8).strip() + "\"";
    }

    /** The child: one thing of each kind, a little apart, then exit 0. args: queue, socket, parent pid. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (PipeWriter pipe = PipeWriter.fromInherited(3);
                 PosixMessageQueue queue = PosixMessageQueue.open(args[0]);
                 DatagramSocket socket = DatagramSocket.openUnix()) {
                Say.child("sending one thing of each kind, 300 ms apart, then exiting");
                pause();
                pipe.write("hello through the pipe\n".getBytes(StandardCharsets.UTF_8));
                pause();
                queue.send(ByteBuffer.wrap("hello through the queue".getBytes(StandardCharsets.UTF_8)), 7);
                pause();
                socket.sendTo(ByteBuffer.wrap("hello through the socket".getBytes(StandardCharsets.UTF_8)),
                        UnixEndpoint.abstractName(args[1]));
                pause();
                Signals.queue(Long.parseLong(args[2]), SIGNAL, 42);
                pause();
            }
        }

        private static void pause() throws InterruptedException {
            Thread.sleep(300); // a demo: so that the events come one by one, between timer ticks
        }

        private Child() {
        }
    }
}
