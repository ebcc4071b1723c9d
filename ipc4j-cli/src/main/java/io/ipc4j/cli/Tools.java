package io.ipc4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What the load and bench commands need from the system: programs on the PATH, servers' sockets. */
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
