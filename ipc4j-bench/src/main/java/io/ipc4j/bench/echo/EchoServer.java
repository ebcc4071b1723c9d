package io.ipc4j.bench.echo;

import io.ipc4j.process.Affinity;

import java.nio.file.Path;

/**
 * The server process of {@code ipc4j bench echo}: args are the implementation, the socket path and the CPU to
 * pin the serving thread to (-1: none). Prints "listening" once it accepts, then echoes every byte back on
 * one thread until killed.
 */
public final class EchoServer {
    private EchoServer() {
    }

    /** One single-threaded echo server over a Unix stream socket. */
    interface Implementation {
        /** Binds {@code path}, calls {@code listening}, then serves until the process is killed. */
        void serve(Path path, Runnable listening) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        int cpu = Integer.parseInt(args[2]);
        Runnable listening = () -> {
            try {
                if (cpu >= 0) {
                    Affinity.pinCurrentThread(cpu);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.out.println("listening");
            System.out.flush();
        };
        Servers.byName(args[0]).serve(path, listening);
    }
}
