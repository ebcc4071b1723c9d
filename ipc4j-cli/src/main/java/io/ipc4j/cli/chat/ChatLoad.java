package io.ipc4j.cli.chat;

import io.ipc4j.chat.load.FanoutLoad;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.cli.FanoutComparison;
import io.ipc4j.cli.Ipc4j;
import io.ipc4j.cli.Tools;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code ipc4j chat load}: ipc4j-chat's fan-out against Redis PUBLISH/SUBSCRIBE over a Unix socket (N
 * subscribers to one channel), the nearest real system doing the same fan-out (see {@link FanoutComparison}).
 * Each ipc4j-chat run starts {@code ipc4j chat serve}, which warms up before it listens. Without the warm-up
 * left out of the figures, the first few hundred messages after the receivers joined set chat's p99.
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
    @SuppressWarnings("try") // the guard only needs closing
    protected Outcome runSubject(Path dir) throws Exception {
        Path socket = dir.resolve("chat.sock");
        try (ChildProcess server = Spawn.java(Ipc4j.class.getName(), "chat", "serve", "--socket", socket.toString(),
                "--log", dir.resolve("log").toString(), "--rate", "0").start();
             GracefulShutdown.Guard stopServer = shutdown.whileOpen("stop ipc4j-chat", server::close)) {
            Tools.awaitSocket(socket, Duration.ofSeconds(30));
            Outcome o = FanoutLoad.chat(socket, server.pid(), settings());
            server.terminate();
            server.waitFor(Duration.ofSeconds(30));
            return o;
        }
    }
}
