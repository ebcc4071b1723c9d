package io.ipc4j.cli.chat;

import io.ipc4j.bench.Bench;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.cli.FanoutComparison;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ipc4j chat load}: ipc4j-chat's fan-out against Redis PUBLISH/SUBSCRIBE over a Unix socket (N
 * subscribers to one channel), the nearest real system doing the same fan-out (see {@link FanoutComparison}).
 * Each ipc4j-chat run starts {@code ipc4j chat serve}, which warms up before it listens, with an empty log.
 * Without the warm-up left out of the figures, the first few hundred messages after the receivers joined set
 * chat's p99.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Fan-out to N clients: ipc4j-chat against Redis PUBLISH/SUBSCRIBE, side by side.")
public final class ChatLoad extends FanoutComparison {
    @Override
    protected String subjectName() {
        return "ipc4j-chat";
    }

    @Override
    protected String commandName() {
        return "chat load";
    }

    @Override
    protected Outcome runSubject(Path dir) throws Exception {
        Path socket = dir.resolve("chat.sock");
        Path log = dir.resolve("log"); // removed after each run: the next server starts empty, as Redis does
        try {
            return measureServer("ipc4j-chat", List.of("chat", "serve", "--socket", socket.toString(), "--log",
                    log.toString(), "--rate", "0"), socket, this::measureChat);
        } finally {
            if (Files.exists(log)) {
                Bench.deleteTree(log);
            }
        }
    }
}
