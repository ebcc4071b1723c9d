package io.ipc4j.cli.chat;

import io.ipc4j.chat.ChatConfig;
import io.ipc4j.chat.ChatLog;
import io.ipc4j.chat.ChatRecord;
import io.ipc4j.chat.ChatServer;
import io.ipc4j.chat.ChatWarmUp;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ipc4j chat}: the multi-process chat: server, terminal client, log reader, load test. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "A chat server on a Unix socket with a crash-safe log, and its terminal client.",
        subcommands = {ChatCommand.Serve.class, ChatJoin.class, ChatCommand.Log.class, ChatLoad.class})
public final class ChatCommand {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    /** {@code ipc4j chat serve}. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve until TERM or INT.")
    public static final class Serve implements Callable<Integer> {
        /** Enough for the JIT to compile the delivery path (measured: the cost per delivery levels off by then). */
        private static final int WARM_UP_DELIVERIES = 300_000;

        @Option(names = "--socket", description = "Unix socket (default $XDG_RUNTIME_DIR/ipc4j-chat.sock, else"
                + " /tmp/ipc4j-UID/ipc4j-chat.sock).")
        private Path socket;

        @Option(names = "--log", defaultValue = "ipc4j-chat-log", description = "Log directory (default ./ipc4j-chat-log).")
        private Path log;

        @Option(names = "--group", description = "Let the socket's group connect and read the log too (socket 0660,"
                + " log 0750/0640, instead of 0600 and 0700/0600).")
        private boolean group;

        @Option(names = "--fsync", description = "Force each message to disk before broadcasting it.")
        private boolean fsync;

        @Option(names = "--rate", converter = Ranges.Rate.class, defaultValue = "20", description = "Messages per second per client (0: no limit).")
        private double rate;

        @Option(names = "--warm-up", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Before listening, run the server's hot paths through a private server (about a"
                        + " second), so that the first messages are served by compiled code (default on).")
        private boolean warmUp;

        @Override
        public Integer call() throws Exception {
            ChatConfig config = ChatConfig.defaults(socket != null ? socket : ChatConfig.defaultSocket(), log)
                    .withMode(group ? 0660 : 0600).withFsync(fsync).withRate(rate, (int) Math.max(1, rate * 2));
            if (warmUp) {
                try {
                    Duration took = ChatWarmUp.run(WARM_UP_DELIVERIES);
                    System.out.println("ipc4j-chat warmed up in " + took.toMillis() + " ms (--no-warm-up skips it)");
                } catch (java.io.IOException e) { // only slower first messages: serve anyway
                    System.err.println("ipc4j-chat: the warm-up failed, serving without it: " + e.getMessage());
                }
            }
            ChatServer server = ChatServer.start(config);
            GracefulShutdown shutdown = GracefulShutdown.install().add("stop ipc4j-chat", () -> {
                server.close();
                System.out.println("ipc4j-chat stopped; socket file removed");
            });
            System.out.println("ipc4j-chat listening on " + server.socket() + " (pid " + ProcessHandle.current().pid()
                    + "); log " + log.toAbsolutePath() + ": " + server.recovery());
            server.awaitStopped(Long.MAX_VALUE, TimeUnit.DAYS);
            shutdown.runNow();
            return 0;
        }
    }

    /** {@code ipc4j chat log DIR [--follow]}. */
    @Command(name = "log", mixinStandardHelpOptions = true, description = "Print a chat log as text.")
    public static final class Log implements Callable<Integer> {
        @Parameters(index = "0", description = "The log directory. Exit status 1 if it has damage (each stretch"
                + " skipped is reported on stderr; every intact record is printed).")
        private Path directory;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new messages as they are logged.")
        private boolean follow;

        @Override
        public Integer call() throws Exception {
            int printed = 0;
            int warned = 0;
            while (true) {
                ChatLog.Contents log = ChatLog.read(directory);
                List<ChatRecord> records = log.records();
                for (ChatRecord r : records.subList(Math.min(printed, records.size()), records.size())) {
                    System.out.println("[" + STAMP.format(Instant.ofEpochMilli(r.millis())) + "] " + r.line());
                }
                printed = Math.max(printed, records.size());
                for (String damage : log.damage().subList(Math.min(warned, log.damage().size()), log.damage().size())) {
                    System.err.println("ipc4j chat log: damage in " + directory + ": " + damage);
                }
                warned = Math.max(warned, log.damage().size());
                if (!follow) {
                    return log.damage().isEmpty() ? 0 : 1;
                }
                System.out.flush();
                Thread.sleep(200);
            }
        }
    }
}
