package io.ipc4j.cli;

import io.ipc4j.bench.Bench;
import io.ipc4j.chat.load.FanoutLoad;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.bench.Rounds;
import io.ipc4j.signal.GracefulShutdown;
import picocli.CommandLine.Option;

import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Fan-out measured, for a system against Redis PUBLISH/SUBSCRIBE: one sender, N receiving connections, M
 * messages; each message carries its send time, and every delivery to every receiver is timed. The sender
 * keeps at most {@code --window} messages ahead of the slowest receiver, so the numbers are capacity with
 * bounded queues, not a measure of how big a backlog can grow. Each run starts a fresh server; the systems
 * take turns over {@code --rounds}, the first to run alternating, and each figure is the median of the rounds.
 * The first {@code --warm-up} messages of each run (a tenth by default) are left out of every figure, as the
 * bench leaves out its warm-up; before the rounds, the Java load tool serves each system a shorter run that is
 * not measured, so that the tool's own code is compiled. {@code ipc4j chat load} and {@code ipc4j kv pubsub} are
 * its two forms.
 */
public abstract class FanoutComparison implements Callable<Integer> {
    @Option(names = "--clients", converter = Ranges.Positive.class, defaultValue = "1000",
            description = "Receiving connections (default 1000).")
    protected int clients;

    @Option(names = "--messages", converter = Ranges.Positive.class, defaultValue = "2000",
            description = "Messages sent (default 2000).")
    protected int messages;

    @Option(names = "--window", converter = Ranges.Positive.class, defaultValue = "20",
            description = "Most messages ahead of the slowest receiver (default 20).")
    private int window;

    @Option(names = "--size", converter = Ranges.MessageSize.class, defaultValue = "100",
            description = "Message text bytes (default 100).")
    private int size;

    @Option(names = "--warm-up", converter = Ranges.NonNegative.class,
            description = "Messages at the start of each run left out of the figures (default: a tenth of --messages).")
    private Integer warmUp; // null: a tenth of --messages

    @Option(names = "--readers", converter = Ranges.Readers.class, defaultValue = "1",
            description = "Receiving threads of the load tool (default 1). On few CPUs they compete with the server:"
                    + " one can be the limit for a frugal server, two can starve a busy one.")
    private int readers;

    @Option(names = "--control", description = "Also run redis-server a second time in each round (the three"
            + " take turns), and print how it compares with the first: the noise a comparison with Redis must be"
            + " read against on this machine.")
    private boolean control;

    @Option(names = "--client", defaultValue = "java", description = "The load tool: java (ipc4j's own, reading"
            + " its ready receivers a batch at a time; the default), c (a one-publisher client as plain C would"
            + " do it: one thread, one recv(2) per ready subscriber, one write(2) per message) or uring (the same"
            + " C client receiving through multishot receives on an io_uring: the cheapest receiving side, for"
            + " servers faster than the others can show; Linux 6.1). The C clients are compiled with the system's"
            + " C compiler on first use. Valid values: ${COMPLETION-CANDIDATES}.")
    private LoadClient client;

    /** The load tools. */
    enum LoadClient {
        java(null), c(OnePublisherClient.Receiving.EPOLL), uring(OnePublisherClient.Receiving.URING);

        /** How the C client receives; null for the Java tool. */
        final OnePublisherClient.Receiving receiving;

        LoadClient(OnePublisherClient.Receiving receiving) {
            this.receiving = receiving;
        }

        boolean isC() {
            return receiving != null;
        }

        /** Who reads the receivers, for the report's first line. */
        String readBy(int readers) {
            return switch (this) {
                case c -> "the one-publisher C client";
                case uring -> "the one-publisher C client on io_uring";
                case java -> readers + " thread" + (readers == 1 ? "" : "s");
            };
        }

        /** What the report's last line says of the tool's own cost. */
        String remark(int readers) {
            return switch (this) {
                case c -> "  (the C client reads each ready subscriber with one recv(2) and sends each message with one"
                        + " write(2), on one thread: on few CPUs its own cost can be the limit; the server CPU per"
                        + " delivery is what each server costs)";
                case uring -> "  (the C client collects every subscriber's receives with one io_uring_enter(2) and"
                        + " sends each message with one write(2), on one thread; the server CPU per delivery is what"
                        + " each server costs)";
                case java -> "  (the load tool reads its ready receivers a batch at a time, on " + readBy(readers)
                        + ": on few CPUs it competes with the server, and can be the limit (--readers); the server CPU"
                        + " per delivery is what each server costs)";
            };
        }
    }

    @Option(names = "--rounds", converter = Ranges.Positive.class, defaultValue = "3",
            description = "Rounds; the systems alternate which runs first, and the medians are printed (default 3).")
    private int rounds;

    private OnePublisherClient cClient; // with --client c or uring
    private boolean warmingTheTool;

    /** INT, TERM or HUP skip finally blocks: the servers and the work directory go through this too. */
    protected final GracefulShutdown shutdown = GracefulShutdown.install();

    /**
     * One run of the system compared with Redis, on a fresh server in {@code dir}.
     *
     * @param dir the run's work directory
     * @return the run's figures
     * @throws Exception if the server cannot be started or the run fails
     */
    protected abstract Outcome runSubject(Path dir) throws Exception;

    /** {@return the compared system's name, for the report} */
    protected abstract String subjectName();

    @Override
    @SuppressWarnings("try") // the guard only needs closing
    public Integer call() throws Exception {
        if (warmUp == null) {
            warmUp = messages / 10;
        }
        if (warmUp >= messages) {
            System.err.println("ipc4j: --warm-up " + warmUp + " must be below --messages " + messages
                    + ": give fewer warm-up messages or more messages (see ipc4j " + commandName() + " --help)");
            return 2;
        }
        if (client.isC()) {
            if (readers != 1) {
                System.err.println("ipc4j: --readers " + readers + " is for --client java: the C client reads on one"
                        + " thread (see ipc4j " + commandName() + " --help)");
                return 2;
            }
            cClient = OnePublisherClient.prepare();
            if (cClient.unavailableBecause() != null) {
                System.err.println("ipc4j: --client " + client + " cannot run: " + cClient.unavailableBecause()
                        + " (apt-get install gcc, or use --client java)");
                return 1;
            }
        }
        Path dir = Files.createTempDirectory("ipc4j-" + commandName().replace(' ', '-') + "-");
        List<Outcome> chat = new ArrayList<>(); // the compared system's runs
        List<Outcome> redisRuns = new ArrayList<>();
        List<Outcome> controlRuns = new ArrayList<>(); // a second redis-server's, with --control
        String redis = Tools.which("redis-server");
        if (redis == null) {
            System.err.println("redis-server is not installed (apt-get install redis-server): " + subjectName()
                    + " alone");
        }
        try (GracefulShutdown.Guard deleteDir = shutdown.whileOpen("delete " + dir, () -> Bench.deleteTree(dir))) {
            List<Turn> turns = new ArrayList<>();
            turns.add(() -> runSubject(dir));
            List<List<Outcome>> results = new ArrayList<>(List.of(chat));
            if (redis != null) {
                turns.add(() -> runRedis(redis, dir));
                results.add(redisRuns);
                if (control) {
                    turns.add(() -> runRedis(redis, dir));
                    results.add(controlRuns);
                }
            }
            if (client == LoadClient.java) {
                warmUpTheTool(turns);
            }
            for (int round = 0; round < rounds; round++) {
                for (int t = 0; t < turns.size(); t++) { // each system goes first in turn
                    int system = (round + t) % turns.size();
                    results.get(system).add(turns.get(system).run());
                }
                System.out.printf(Locale.ROOT, "round %d of %d done%n", round + 1, rounds);
            }
        } finally {
            Bench.deleteTree(dir);
        }
        System.out.printf(Locale.ROOT, "ipc4j " + commandName() + ", %s, %d CPUs: 1 sender, %d receivers read by %s,"
                        + " %d messages of %d bytes, window %d; median of %d interleaved rounds; the first %d"
                        + " messages of each run are warm-up, not measured%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), clients, client.readBy(readers), messages,
                client.isC() ? Math.max(size, OnePublisherClient.SHORTEST_TEXT) : size, window, rounds, warmUp);
        System.out.printf(Locale.ROOT, "  %-34s %14s %10s %10s %10s %10s %15s%n", "system", "deliveries/s", "p50 ms",
                "p99 ms", "p99.9 ms", "max ms", "server ns/dlv");
        for (List<Outcome> runs : redisRuns.isEmpty() ? List.of(chat) : List.of(chat, redisRuns)) {
            System.out.printf(Locale.ROOT, "  %-34s %,14.0f %10.3f %10.3f %10.3f %10.3f %15.0f%n",
                    runs.getFirst().system(), median(runs, Outcome::perSecond),
                    median(runs, o -> o.latencyNanos().getValueAtPercentile(50) / 1e6),
                    median(runs, o -> o.latencyNanos().getValueAtPercentile(99) / 1e6),
                    median(runs, o -> o.latencyNanos().getValueAtPercentile(99.9) / 1e6),
                    median(runs, o -> o.latencyNanos().getMaxValue() / 1e6),
                    median(runs, Outcome::serverNanosPerDelivery));
        }
        if (!redisRuns.isEmpty()) {
            Rounds.Ratios ratios = Rounds.ratios(rounds, i -> chat.get(i).perSecond(),
                    i -> redisRuns.get(i).perSecond());
            System.out.printf(Locale.ROOT, "  " + subjectName() + " / redis: %.2f of the deliveries per second"
                            + " (rounds %.2f-%.2f),"
                            + " %.2f of the server CPU per delivery%n", ratios.median(), ratios.min(), ratios.max(),
                    median(chat, Outcome::serverNanosPerDelivery) / median(redisRuns, Outcome::serverNanosPerDelivery));
            if (!controlRuns.isEmpty()) {
                Rounds.Ratios noise = Rounds.ratios(rounds, i -> controlRuns.get(i).perSecond(),
                        i -> redisRuns.get(i).perSecond());
                System.out.printf(Locale.ROOT, "  control: a second redis-server run against the first: %.2f of the"
                                + " deliveries per second (rounds %.2f-%.2f), p99 %.3f against %.3f ms%n",
                        noise.median(), noise.min(), noise.max(),
                        median(controlRuns, o -> o.latencyNanos().getValueAtPercentile(99) / 1e6),
                        median(redisRuns, o -> o.latencyNanos().getValueAtPercentile(99) / 1e6));
            }
            System.out.println(client.remark(readers));
        }
        return 0;
    }

    /** One measuring run against a started server: its socket and pid in, its figures out. */
    @FunctionalInterface
    protected interface Measure {
        Outcome run(Path socket, long pid) throws IOException;
    }

    /**
     * Starts {@code ipc4j ARGS} as its own process (stopped by INT/TERM/HUP too), waits for its socket, measures,
     * then stops it.
     *
     * @param name    the server, for the shutdown message
     * @param args    the ipc4j command that serves on {@code socket}
     * @param socket  its Unix socket
     * @param measure the run
     * @return the run's figures
     * @throws Exception if the server does not start or the run fails
     */
    @SuppressWarnings("try") // the guard only needs closing
    protected Outcome measureServer(String name, List<String> args, Path socket, Measure measure) throws Exception {
        try (io.ipc4j.process.ChildProcess server = io.ipc4j.process.Spawn.java(List.of(), Ipc4j.class.getName(),
                args).start();
             GracefulShutdown.Guard stopServer = shutdown.whileOpen("stop " + name, server::close)) {
            Tools.awaitSocket(socket, Duration.ofSeconds(30));
            Outcome o = measure.run(socket, server.pid());
            server.terminate();
            server.waitFor(Duration.ofSeconds(30));
            return o;
        }
    }

    /**
     * Measures a server speaking ipc4j-chat's protocol with the chosen load tool.
     *
     * @param socket the server's Unix socket
     * @param pid    its pid, for its CPU time
     * @return the run's figures
     * @throws IOException if a connection fails or the run does not finish
     */
    protected Outcome measureChat(Path socket, long pid) throws IOException {
        String system = "ipc4j-chat (" + clients + " clients)";
        return client.isC()
                ? cClient.run(OnePublisherClient.Protocol.CHAT, client.receiving, socket, pid, settings(), system)
                : FanoutLoad.chat(socket, pid, settings(), system);
    }

    /**
     * Measures a server speaking Redis's PUBLISH/SUBSCRIBE with the chosen load tool.
     *
     * @param socket the server's Unix socket
     * @param pid    its pid, for its CPU time
     * @param system what is measured, for the report
     * @return the run's figures
     * @throws IOException if a connection fails or the run does not finish
     */
    protected Outcome measurePublishSubscribe(Path socket, long pid, String system) throws IOException {
        return client.isC()
                ? cClient.run(OnePublisherClient.Protocol.RESP, client.receiving, socket, pid, settings(), system)
                : FanoutLoad.publishSubscribe(socket, pid, settings(), system);
    }

    /** {@return the command's words after "ipc4j", for the report's title} */
    protected abstract String commandName();

    /** {@return what one run does, from the options} */
    protected FanoutLoad.Settings settings() {
        return warmingTheTool ? new FanoutLoad.Settings(clients, Math.max(1, messages / 4), window, size, 0, readers)
                : new FanoutLoad.Settings(clients, messages, window, size, warmUp, readers);
    }

    private static double median(List<Outcome> runs, java.util.function.ToDoubleFunction<Outcome> figure) {
        return Rounds.median(runs.stream().mapToDouble(figure).toArray());
    }

    /** One system's run in a round. */
    @FunctionalInterface
    private interface Turn {
        Outcome run() throws Exception;
    }

    /**
     * The Java load tool runs in this JVM, and its own receiving and sending code was compiled during the first
     * measured runs (its C2 thread took a third of the two CPUs in the first Redis run: perf sched); so each
     * system first serves a shorter run that is not measured.
     */
    private void warmUpTheTool(List<Turn> turns) throws Exception {
        warmingTheTool = true;
        try {
            for (Turn turn : turns) {
                turn.run();
            }
        } finally {
            warmingTheTool = false;
        }
        System.out.println("load tool warmed up: one run of a quarter of the messages against each system, not"
                + " measured");
    }

    @SuppressWarnings("try") // the guard only needs closing
    private Outcome runRedis(String redisServer, Path dir) throws Exception {
        Path socket = dir.resolve("redis.sock");
        Process redis = Tools.startRedisServer(redisServer, socket, dir.resolve("redis.log"), "--maxclients",
                String.valueOf(clients + 100));
        try (GracefulShutdown.Guard stopRedis = shutdown.whileOpen("stop redis-server", () -> Tools.stop(redis))) {
            return measurePublishSubscribe(socket, redis.pid(), "redis PUBLISH (" + clients + " subscribers)");
        } finally {
            Tools.stop(redis);
        }
    }

}
