package io.ipc4j.kv;

import io.ipc4j.signal.GracefulShutdown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A kv server in a child JVM: {@code SOCKET [maxclients maxmemory maxbulk maxmultibulk pause limit [querybuffer querymemory]]},
 * or {@code SOCKET --appendonly DIR FSYNC}, or {@code SOCKET --dir DIR} (no log: DIR/dump.rdb), or
 * {@code SOCKET --tcp PASSWORD} (also on a free loopback port, printed as "ready PORT"), or
 * {@code SOCKET --busy-poll MICROS}. Prints "ready", serves until SHUTDOWN (prints "stopped", exits 0) or TERM
 * (clean-up, exits 143); a damaged log or snapshot is one line on stderr and exit 1.
 */
public final class KvChild {
    private KvChild() {
    }

    public static void main(String[] args) throws Exception {
        KvConfig config = KvConfig.defaults(Path.of(args[0]));
        if (args.length == 4 && args[1].equals("--appendonly")) {
            config = config.withPersistence(new Persistence(true, Persistence.Fsync.parse(args[3]), Path.of(args[2])));
            args = new String[] {args[0]};
        }
        if (args.length == 3 && args[1].equals("--dir")) {
            config = config.withPersistence(new Persistence(false, Persistence.Fsync.EVERYSEC, Path.of(args[2])));
            args = new String[] {args[0]};
        }
        if (args.length == 3 && args[1].equals("--busy-poll")) {
            config = config.withBusyPoll(java.time.Duration.ofNanos(Long.parseLong(args[2]) * 1_000));
            args = new String[] {args[0]};
        }
        boolean tcp = args.length == 3 && args[1].equals("--tcp");
        if (tcp) {
            config = config.withTcp(new java.net.InetSocketAddress("127.0.0.1", 0)).withPassword(args[2]);
            args = new String[] {args[0]};
        }
        if (args.length > 7) {
            config = config.withQueryLimits(Long.parseLong(args[7]), Long.parseLong(args[8]));
        }
        if (args.length > 1) {
            config = config.withMaxClients(Integer.parseInt(args[1])).withMaxMemory(Long.parseLong(args[2]))
                    .withLimits(Long.parseLong(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]),
                            Long.parseLong(args[6]));
        }
        KvServer server;
        try {
            server = KvServer.start(config);
        } catch (CorruptLogException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        GracefulShutdown.install().add("stop the server", server::close);
        System.out.println(tcp ? "ready " + server.tcpPort() : "ready");
        server.awaitStopped(10, TimeUnit.MINUTES);
        System.out.println("stopped");
        if (server.failure() != null) {
            System.exit(1);
        }
    }
}
