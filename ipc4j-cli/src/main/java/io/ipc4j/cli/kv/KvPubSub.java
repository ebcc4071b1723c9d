package io.ipc4j.cli.kv;

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
import java.util.List;

/**
 * {@code ipc4j kv pubsub}: ipc4j-kv's PUBLISH/SUBSCRIBE fan-out against redis-server's, the same client
 * driving both (see {@link FanoutComparison}): N subscribers to one channel, one publisher.
 */
@Command(name = "pubsub", mixinStandardHelpOptions = true,
        description = "PUBLISH/SUBSCRIBE fan-out to N subscribers: ipc4j-kv against redis-server, side by side.")
public final class KvPubSub extends FanoutComparison {
    @Override
    protected String subjectName() {
        return "ipc4j-kv";
    }

    @Override
    protected String commandName() {
        return "kv pubsub";
    }

    @Override
    @SuppressWarnings("try") // the guard only needs closing
    protected Outcome runSubject(Path dir) throws Exception {
        Path socket = dir.resolve("kv.sock");
        try (ChildProcess server = Spawn.java(List.of(), Ipc4j.class.getName(), List.of("kv", "serve",
                "--socket=" + socket, "--maxclients=" + (clients + 100))).start();
             GracefulShutdown.Guard stopServer = shutdown.whileOpen("stop ipc4j-kv", server::close)) {
            Tools.awaitSocket(socket, Duration.ofSeconds(30));
            Outcome o = FanoutLoad.publishSubscribe(socket, server.pid(), settings(),
                    "ipc4j-kv PUBLISH (" + clients + " subscribers)");
            server.terminate();
            server.waitFor(Duration.ofSeconds(30));
            return o;
        }
    }
}
