package io.ipc4j.cli;

import io.ipc4j.chat.ChatConfig;
import io.ipc4j.chat.ChatServer;
import io.ipc4j.chat.load.FanoutLoad;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java load tool ({@code --client java}) against a real ipc4j-chat server and a real redis-server (its own
 * process): every delivery after the warm-up counted and timed exactly once, whatever cuts the reads make.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FanoutLoadTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /**
     * 20 members, 500 messages, 7 ahead at most, the first 50 left out: 20 x 450 deliveries timed. With 2
     * receiving threads; and with 1-byte messages, whose text is the stamp alone, which the chat server cuts
     * after its last digit (the line ends right after the send time). A wrong number read from a stamp stalls
     * the run (the window waits for a sequence number that never comes): the time limit makes that a failure.
     */
    @ParameterizedTest(name = "{0} receiving threads, {1}-byte messages")
    @CsvSource({"1, 100", "2, 100", "1, 1"})
    void countsEveryDeliveryOfAChatServerAfterTheWarmUp(int readers, int size, @TempDir Path dir) throws Exception {
        ChatConfig config = ChatConfig.defaults(dir.resolve("chat.sock"), dir.resolve("log")).withRate(0, 1);
        try (ChatServer server = ChatServer.start(config)) {
            Outcome o = FanoutLoad.chat(server.socket(), ProcessHandle.current().pid(),
                    new FanoutLoad.Settings(20, 500, 7, size, 50, readers), "chat");
            assertEquals(20 * 450, o.latencyNanos().getTotalCount(), "each later message timed once per member");
            assertTrue(o.deliveries() <= 20 * 450 && o.deliveries() >= 20 * (450 - 8), "deliveries " + o.deliveries());
            assertTrue(o.latencyNanos().getMinValue() > 0, "latencies are send to receipt");
        }
    }

    /**
     * Redis PUBLISH/SUBSCRIBE, 3,000 messages at once to 30 subscribers, nothing left out: each backlog is more
     * than one read, so reads end inside messages and inside Redis's framing, which must be put together.
     */
    @Test
    void countsEveryDeliveryOfRedisPublishSubscribe(@TempDir Path dir) throws Exception {
        String redis = Tools.which("redis-server");
        assumeTrue(redis != null, "redis-server is installed by .ci/run");
        Path socket = dir.resolve("redis.sock");
        Process server = Tools.startRedisServer(redis, socket, dir.resolve("redis.log"));
        try {
            Outcome o = FanoutLoad.publishSubscribe(socket, server.pid(),
                    new FanoutLoad.Settings(30, 3000, 5000, 40, 0, 1), "redis");
            assertEquals(30 * 3000, o.deliveries());
            assertEquals(30 * 3000, o.latencyNanos().getTotalCount());
        } finally {
            Tools.stop(server);
        }
    }
}
