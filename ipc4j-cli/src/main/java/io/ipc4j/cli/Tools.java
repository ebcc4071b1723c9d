package io.ipc4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the load and bench commands need from the system: programs on the PATH, servers' sockets, redis-server. */
public final class Tools {
    private Tools() {
    }

    /** The program {@code name} on the PATH, or null. */
    public static String which(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /**
     * Starts Debian's redis-server on the Unix socket {@code socket} only (no TCP port, no persistence), its
     * output in {@code log}, with {@code extra} options; returns once it listens.
     */
    public static Process startRedisServer(String program, Path socket, Path log, String... extra)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program, "--port", "0", "--unixsocket", socket.toString(),
                "--unixsocketperm", "600", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        command.addAll(List.of(extra));
        Process redis = new ProcessBuilder(command).redirectOutput(log.toFile()).redirectErrorStream(true).start();
        try {
            awaitSocket(socket, Duration.ofSeconds(30));
            return redis;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(redis);
            throw e;
        }
    }

    /** Stops {@code process} (TERM, then waits up to 10 s); nothing for null. */
    public static void stop(Process process) throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until a server listens on {@code socket}, at most {@code timeout}. */
    public static void awaitSocket(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no server listens on " + socket + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Whether a server listens there: the file appears at bind(2), a moment before listen(2). */
    private static boolean accepts(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (var probe = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            probe.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false; // refused: bound, not yet listening
        }
    }
}
