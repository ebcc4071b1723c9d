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

    /** Waits until a server has created {@code socket}, at most {@code timeout}. */
    public static void awaitSocket(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no server created " + socket + " within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }
}
