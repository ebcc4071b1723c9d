package io.ipc4j.cli.kv;

import io.ipc4j.kv.CorruptLogException;
import io.ipc4j.kv.KvConfig;
import io.ipc4j.kv.Persistence;
import io.ipc4j.kv.KvServer;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.socket.UserRuntimeDirectory;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ipc4j kv}: the Redis-protocol key-value server. */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = "An in-memory key-value server speaking the Redis protocol over a Unix socket.",
        subcommands = {KvCommand.Serve.class, KvBench.class, KvPubSub.class})
public final class KvCommand {
    /** {@code ipc4j kv serve}. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve until TERM, INT or SHUTDOWN; redis-cli -s PATH talks to it.")
    public static final class Serve implements Callable<Integer> {
        @Option(names = "--socket", description = "Unix socket file (default: $XDG_RUNTIME_DIR/ipc4j-kv.sock,"
                + " else /tmp/ipc4j-UID/ipc4j-kv.sock, a directory of mode 0700 checked to be yours).")
        private Path socket;

        @Option(names = "--mode", converter = Ranges.OctalMode.class, defaultValue = "600",
                description = "The socket file's mode, octal (default 600).")
        private int mode;

        @Option(names = "--tcp", description = "Also listen on TCP at HOST:PORT (off unless given).")
        private String tcp;

        @Option(names = "--requirepass", paramLabel = "PASSWORD", description = "Clients must AUTH with this"
                + " password first, on the Unix socket and TCP alike (redis-cli -a PASSWORD). The environment"
                + " variable IPC4J_KV_PASSWORD does the same without showing it in ps.")
        private String requirePass;

        @Option(names = "--protected-mode", paramLabel = "yes|no", defaultValue = "yes", description = "With no"
                + " password, refuse TCP clients, loopback included (default yes): any local user can reach"
                + " loopback, while the Unix socket's mode keeps them out.")
        private String protectedMode;

        @Option(names = "--threads", converter = Ranges.Threads.class, defaultValue = "1", description = "Event-loop threads (default 1).")
        private int threads;

        @Option(names = "--busy-poll", paramLabel = "MICROS", converter = Ranges.PollMicros.class,
                defaultValue = "20", description = "After a turn with work, the event loop polls this long before it"
                + " sleeps, so that busy clients need not wake it (default 20; 0: off). It costs server CPU, and is"
                + " off when the loop threads would take every CPU.")
        private int busyPollMicros;

        @Option(names = "--maxclients", converter = Ranges.Positive.class, defaultValue = "10000", description = "Most connections (default 10000).")
        private int maxClients;

        @Option(names = "--maxmemory", converter = Ranges.Bytes.class, description = "Bytes of keys and values before writes get OOM errors"
                + " (suffixes k, m, g; 0: no limit; default: half the JVM heap, which IPC4J_JAVA_OPTS=-Xmx8g raises).")
        private Long maxMemory;

        @Option(names = "--appendonly", paramLabel = "yes|no", defaultValue = "no", description = "Log every write"
                + " to DIR/appendonly.aof (Redis's AOF format) and replay it on start (default no: DIR/dump.rdb, an"
                + " RDB snapshot that SAVE, BGSAVE or redis-server wrote, is loaded on start if it is there).")
        private String appendOnly;

        @Option(names = "--appendfsync", paramLabel = "always|everysec|no", defaultValue = "everysec",
                description = "When the log is forced to the disk: before each reply to a write (always), once a"
                        + " second (everysec, the default), or when the kernel chooses (no). In every mode a write"
                        + " is in the kernel before its reply goes out, so a killed server loses nothing.")
        private String appendFsync;

        @Option(names = "--dir", paramLabel = "DIR", description = "Directory of appendonly.aof and of dump.rdb,"
                + " which SAVE and BGSAVE write (default: the working directory).")
        private java.nio.file.Path dir;

        @Override
        public Integer call() throws Exception {
            KvConfig config = KvConfig.defaults(socket != null ? socket : UserRuntimeDirectory.get().resolve("ipc4j-kv.sock"))
                    .withSocketMode(mode).withThreads(threads).withMaxClients(maxClients)
                    .withBusyPoll(java.time.Duration.ofNanos(busyPollMicros * 1_000L));
            if (maxMemory != null) {
                config = config.withMaxMemory(maxMemory);
            }
            if (tcp != null) {
                int colon = tcp.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("--tcp takes HOST:PORT, such as 127.0.0.1:6380");
                }
                config = config.withTcp(new InetSocketAddress(tcp.substring(0, colon),
                        Integer.parseInt(tcp.substring(colon + 1))));
            }
            String password = requirePass != null ? requirePass : System.getenv("IPC4J_KV_PASSWORD");
            config = config.withPassword(password == null || password.isEmpty() ? null : password)
                    .withProtectedMode(yesNo("--protected-mode", protectedMode));
            if (config.tcp() != null) {
                warnAboutTcp(config);
            }
            config = config.withPersistence(new Persistence(yesNo("--appendonly", appendOnly),
                    Persistence.Fsync.parse(appendFsync), dir != null ? dir : java.nio.file.Path.of("")
                    .toAbsolutePath()));
            KvServer server;
            try {
                server = KvServer.start(config);
            } catch (CorruptLogException e) {
                System.err.println("ipc4j-kv: " + e.getMessage());
                return 1;
            }
            GracefulShutdown shutdown = GracefulShutdown.install().add("stop ipc4j-kv", () -> {
                server.close();
                System.out.println("ipc4j-kv stopped; socket file removed");
            });
            System.out.println("ipc4j-kv listening on " + server.socket()
                    + (tcp != null ? " and tcp port " + server.tcpPort() : "") + " (pid " + ProcessHandle.current().pid()
                    + "); redis-cli -s " + server.socket());
            server.awaitStopped(Long.MAX_VALUE, TimeUnit.DAYS); // SHUTDOWN, or TERM/INT/HUP
            shutdown.runNow(); // says so once, whichever stopped it
            if (server.failure() != null) {
                System.err.println("ipc4j-kv stopped on an error: " + server.failure());
                return 1;
            }
            return 0;
        }

        private static void warnAboutTcp(KvConfig config) {
            java.net.InetAddress address = config.tcp().getAddress();
            if (!address.isLoopbackAddress()) {
                System.err.println("ipc4j-kv: WARNING: listening on " + config.tcp() + ", beyond loopback: anyone"
                        + " who can reach this machine" + (address.isAnyLocalAddress() ? " on any of its addresses" : "")
                        + " can connect." + (config.password() == null ? " No password is set: TCP clients are"
                        + " refused (protected mode) unless you set --requirepass." : " Clients must AUTH."));
            }
            if (config.password() == null && config.protectedMode()) {
                System.err.println("ipc4j-kv: protected mode: TCP clients are refused until --requirepass is set"
                        + " (or --protected-mode no); the Unix socket is open to its file mode's users");
            }
        }

        static boolean yesNo(String option, String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new IllegalArgumentException(option + " takes yes or no, not '" + value + "'");
            };
        }
    }
}
