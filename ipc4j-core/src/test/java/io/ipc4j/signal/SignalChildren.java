package io.ipc4j.signal;

import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.UnixEndpoint;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Child-process mains for the signal tests. */
final class SignalChildren {
    private SignalChildren() {
    }

    /** Handles USR1: prints "ready", then "handled SIGUSR1 on <thread>" when it arrives, and exits. */
    static final class HandleUsr1 {
        public static void main(String[] args) throws Exception {
            CountDownLatch got = new CountDownLatch(1);
            String[] thread = new String[1];
            try (SignalHandlers.Registration r = SignalHandlers.register(Signal.USR1, s -> {
                thread[0] = Thread.currentThread().getName();
                got.countDown();
            })) {
                System.out.println("ready");
                if (!got.await(60, TimeUnit.SECONDS)) {
                    System.out.println("timed out");
                    System.exit(2);
                }
                System.out.println("handled " + r.signal() + " on " + thread[0]);
            }
        }
    }

    /** Receives {@code args[0]} queued RTMIN+1 signals and prints "count=N sum=S ordered=B from=PID dropped=D". */
    static final class ReceiveQueued {
        public static void main(String[] args) throws Exception {
            try (SignalReceiver receiver = SignalReceiver.open(Signal.realtime(1))) {
                System.out.println("ready " + receiver.threadId());
                System.out.println(receiveAll(Integer.parseInt(args[0]), i -> receiver.receive(Duration.ofSeconds(30)))
                        + " dropped=" + receiver.dropped());
            }
        }
    }

    /**
     * As {@link ReceiveQueued}, with a {@link ThreadSignalReceiver} on the main thread (untimed and timed receives
     * in turn): prints "ready TID" (the receiving thread's id, which must be the one a sender finds) and then
     * "count=N sum=S ordered=B from=PID then=" and what a poll finds after the last.
     */
    static final class ReceiveQueuedOnThisThread {
        public static void main(String[] args) throws Exception {
            try (ThreadSignalReceiver receiver = ThreadSignalReceiver.open(Signal.realtime(1))) {
                System.out.println("ready " + receiver.threadId());
                System.out.println(receiveAll(Integer.parseInt(args[0]),
                        i -> i % 2 == 0 ? receiver.receive() : receiver.receive(Duration.ofSeconds(30)))
                        + " then=" + receiver.poll());
            }
        }
    }

    /** The i-th signal received. */
    @FunctionalInterface
    private interface Next {
        QueuedSignal receive(int i) throws java.io.IOException;
    }

    /** Receives {@code expected} signals numbered 0.. in order: "count=N sum=S ordered=B from=PID". */
    private static String receiveAll(int expected, Next next) throws java.io.IOException {
        long sum = 0;
        boolean ordered = true;
        int sender = 0;
        for (int i = 0; i < expected; i++) {
            QueuedSignal s = next.receive(i);
            ordered &= s.value() == i && s.queued() && s.signal().equals(Signal.realtime(1));
            sum += s.value();
            sender = s.senderPid();
        }
        return "count=" + expected + " sum=" + sum + " ordered=" + ordered + " from=" + sender;
    }

    /**
     * Serves on the socket file {@code args[0]} with a graceful shutdown that closes the server (removing the
     * file) and prints "cleanup N" with how many times it ran; prints "ready" and waits for TERM.
     */
    static final class ShutdownOnTerm {
        public static void main(String[] args) throws Exception {
            AtomicInteger runs = new AtomicInteger();
            SocketServer<?> server = SocketServer.stream(UnixEndpoint.path(args[0]));
            GracefulShutdown.install()
                    .closeOnExit("server", server)
                    .add("report", () -> System.out.println("cleanup " + runs.incrementAndGet()));
            System.out.println("ready");
            Thread.sleep(Duration.ofMinutes(2));
            System.out.println("not stopped");
        }
    }
}
