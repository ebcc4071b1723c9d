package io.ipc4j.cli.kv;

import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.cli.FanoutComparison;
import picocli.CommandLine.Command;

import java.nio.file.Path;
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
    protected Outcome runSubject(Path dir) throws Exception {
        Path socket = dir.resolve("kv.sock");
        return measureServer("ipc4j-kv", List.of("kv", "serve", "--socket=" + socket, "--maxclients=" + (clients + 100)),
                socket, (s, pid) -> measurePublishSubscribe(s, pid,
                        "ipc4j-kv PUBLISH (" + clients + " subscribers)"));
    }
}
