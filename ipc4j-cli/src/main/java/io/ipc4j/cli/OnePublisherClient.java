package io.ipc4j.cli;

import io.ipc4j.bench.CProgram;
import io.ipc4j.chat.load.FanoutLoad;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The load commands' C tools ({@code --client c} and {@code --client uring}): fanout_client.c, a one-publisher
 * fan-out client in one thread, one write(2) per message, run as its own process with the same settings as
 * {@link FanoutLoad} and reporting the same figures. It receives the way a plain C program would ({@link
 * Receiving#EPOLL}: what a simple client sees; on few CPUs its own cost per delivery can be the limit) or through
 * multishot receives on an io_uring ({@link Receiving#URING}: the cheapest receiving side, to show a server
 * faster than the simple client).
 */
public final class OnePublisherClient {
    /** How long one run may take; the client itself gives up after 30 s without a delivery. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    /** The shortest message text: '@', a 10-digit sequence number and a 16-digit send time. */
    public static final int SHORTEST_TEXT = 27;

    /** The protocol the client speaks. */
    public enum Protocol {
        /** ipc4j-chat's lines: each receiver joins with a nick, the sender's lines reach the others. */
        CHAT("chat"),
        /** Redis's SUBSCRIBE and PUBLISH on channel "chat" (redis-server, ipc4j-kv). */
        RESP("resp");

        private final String argument;

        Protocol(String argument) {
            this.argument = argument;
        }
    }

    /** How the client receives. */
    public enum Receiving {
        /** epoll over the subscribers, one recv(2) per ready subscriber. */
        EPOLL("epoll"),
        /**
         * A multishot receive per subscriber on an io_uring, into provided buffers: one io_uring_enter(2) collects
         * what every subscriber got (Linux 6.1).
         */
        URING("uring");

        private final String argument;

        Receiving(String argument) {
            this.argument = argument;
        }
    }

    private final CProgram program;

    private OnePublisherClient(CProgram program) {
        this.program = program;
    }

    /** Compiles the client if no cached binary of its source exists (see {@link CProgram}). */
    public static OnePublisherClient prepare() {
        return new OnePublisherClient(CProgram.prepare(OnePublisherClient.class, "fanout_client.c",
                "the one-publisher C client"));
    }

    /** Why the client cannot run (no C compiler, say), or null when it can. */
    public String unavailableBecause() {
        return program.unavailableBecause().orElse(null);
    }

    /**
     * One run against the server on {@code socket}.
     *
     * @param protocol  what the server speaks
     * @param receiving how the client receives
     * @param socket    its Unix socket
     * @param serverPid its pid, for its CPU time
     * @param settings  the run's settings ({@code readers} must be 1: the client has one thread)
     * @param system    what is measured, for the report
     * @return the run's figures, counted from when every receiver has had the warm-up messages
     * @throws IOException if the client cannot run, a connection fails, or nothing arrives for 30 s
     */
    public Outcome run(Protocol protocol, Receiving receiving, Path socket, long serverPid,
            FanoutLoad.Settings settings, String system) throws IOException {
        return parse(program.run(arguments(protocol, receiving, socket, serverPid, settings), RUN_LIMIT), system);
    }

    /**
     * As {@link #run}, receiving through io_uring into only {@code buffers} provided buffers (a power of two), so
     * that receives run out of buffers and must be armed again (2,048 otherwise).
     */
    Outcome runWithFewBuffers(Protocol protocol, Path socket, long serverPid, FanoutLoad.Settings settings,
            int buffers) throws IOException {
        List<String> args = new java.util.ArrayList<>(arguments(protocol, Receiving.URING, socket, serverPid,
                settings));
        args.add(String.valueOf(buffers));
        return parse(program.run(args, RUN_LIMIT), "few buffers");
    }

    private static List<String> arguments(Protocol protocol, Receiving receiving, Path socket, long serverPid,
            FanoutLoad.Settings settings) {
        return List.of(protocol.argument, receiving.argument, socket.toString(), String.valueOf(settings.clients()),
                String.valueOf(settings.messages()), String.valueOf(settings.window()),
                String.valueOf(settings.size()), String.valueOf(settings.warmUp()), String.valueOf(serverPid));
    }

    /** Reads the client's report: deliveries, elapsed_ns, server_cpu_ns, then "lat VALUE COUNT" lines. */
    static Outcome parse(String output, String system) throws IOException {
        long deliveries = -1;
        long elapsed = -1;
        long cpu = -1;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (String line : output.lines().toList()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "deliveries" -> deliveries = Long.parseLong(f[1]);
                case "elapsed_ns" -> elapsed = Long.parseLong(f[1]);
                case "server_cpu_ns" -> cpu = Long.parseLong(f[1]);
                case "lat" -> latency.recordValueWithCount(Math.min(Long.parseLong(f[1]),
                        latency.getHighestTrackableValue()), Long.parseLong(f[2]));
                default -> throw new IOException("the one-publisher C client said something unexpected: " + line);
            }
        }
        if (deliveries < 0 || elapsed <= 0 || cpu < 0 || latency.getTotalCount() == 0) {
            throw new IOException("the one-publisher C client gave no result: " + output.strip());
        }
        return new Outcome(system, deliveries, Duration.ofNanos(elapsed), latency, cpu);
    }
}
