package io.ipc4j.cli;

import io.ipc4j.chat.ChatConfig;
import io.ipc4j.chat.ChatServer;
import io.ipc4j.chat.load.FanoutLoad;
import io.ipc4j.chat.load.FanoutLoad.Outcome;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one-publisher C client ({@code --client c} and {@code --client uring}) against a real ipc4j-chat server and
 * a real redis-server, each in another process or thread than the client: every delivery after the warm-up
 * counted and timed, exactly, whichever way it receives.
 */
class OnePublisherClientTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static OnePublisherClient client;

    @BeforeAll
    static void compile() {
        client = OnePublisherClient.prepare();
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(client.unavailableBecause() == null, client.unavailableBecause());
        }
        assertEquals(null, client.unavailableBecause(), "the CI machine has a C compiler");
    }

    /**
     * 20 members, 500 messages, 7 ahead at most, the first 50 left out: 20 x 450 deliveries timed, each once.
     */
    @ParameterizedTest
    @EnumSource(OnePublisherClient.Receiving.class)
    void countsEveryDeliveryOfAChatServerAfterTheWarmUp(OnePublisherClient.Receiving receiving, @TempDir Path dir)
            throws Exception {
        ChatConfig config = ChatConfig.defaults(dir.resolve("chat.sock"), dir.resolve("log")).withRate(0, 1);
        try (ChatServer server = ChatServer.start(config)) {
            Outcome o = client.run(OnePublisherClient.Protocol.CHAT, receiving, server.socket(),
                    ProcessHandle.current().pid(), new FanoutLoad.Settings(20, 500, 7, 100, 50, 1), "chat");
            assertEquals(20 * 450, o.latencyNanos().getTotalCount(), "each later message timed once per member");
            // counted from when the slowest member has had the warm-up: the others may be up to a window ahead
            assertTrue(o.deliveries() <= 20 * 450 && o.deliveries() >= 20 * (450 - 8), "deliveries " + o.deliveries());
            assertTrue(o.latencyNanos().getMinValue() > 0, "latencies are send to receipt");
            assertTrue(o.elapsed().isPositive());
        }
    }

    /**
     * Redis PUBLISH/SUBSCRIBE, all 3,000 messages at once (window above the count), nothing left out. The
     * messages are the shortest (27 bytes, the stamp alone) and each subscriber's backlog is more than one 64 KiB
     * read, so reads end inside stamps, which must be put together (without that, 30 deliveries were lost).
     */
    @ParameterizedTest
    @EnumSource(OnePublisherClient.Receiving.class)
    void countsEveryDeliveryOfRedisPublishSubscribe(OnePublisherClient.Receiving receiving, @TempDir Path dir)
            throws Exception {
        String redis = Tools.which("redis-server");
        assumeTrue(redis != null, "redis-server is installed by .ci/run");
        Path socket = dir.resolve("redis.sock");
        Process server = Tools.startRedisServer(redis, socket, dir.resolve("redis.log"));
        try {
            Outcome o = client.run(OnePublisherClient.Protocol.RESP, receiving, socket, server.pid(),
                    new FanoutLoad.Settings(30, 3000, 5000, 27, 0, 1), "redis");
            assertEquals(30 * 3000, o.deliveries());
            assertEquals(30 * 3000, o.latencyNanos().getTotalCount());
            long cpu = o.serverCpuNanos(); // redis-server's, thread by thread in nanoseconds, not 10 ms ticks
            assertTrue(cpu > 0 && cpu % 10_000_000 != 0, "server CPU " + cpu + " ns");
        } finally {
            Tools.stop(server);
        }
    }

    /**
     * io_uring receives with 2 provided buffers for 30 subscribers, each with a backlog of 3,000 messages: receives
     * run out of buffers over and over and must be armed again (without that, the client stalled and exited after
     * 30 s with most deliveries missing). Every delivery is still counted, in both protocols.
     */
    @Test
    void theIoUringClientArmsAgainWhenItsBuffersRunOut(@TempDir Path dir) throws Exception {
        ChatConfig config = ChatConfig.defaults(dir.resolve("chat.sock"), dir.resolve("log")).withRate(0, 1);
        try (ChatServer server = ChatServer.start(config)) {
            Outcome o = client.runWithFewBuffers(OnePublisherClient.Protocol.CHAT, server.socket(),
                    ProcessHandle.current().pid(), new FanoutLoad.Settings(30, 3000, 5000, 27, 0, 1), 2);
            assertEquals(30 * 3000, o.deliveries());
            assertEquals(30 * 3000, o.latencyNanos().getTotalCount());
        }
        String redis = Tools.which("redis-server");
        assumeTrue(redis != null, "redis-server is installed by .ci/run");
        Path socket = dir.resolve("redis.sock");
        Process server = Tools.startRedisServer(redis, socket, dir.resolve("redis.log"));
        try {
            Outcome o = client.runWithFewBuffers(OnePublisherClient.Protocol.RESP, socket, server.pid(),
                    new FanoutLoad.Settings(30, 3000, 5000, 27, 0, 1), 2);
            assertEquals(30 * 3000, o.deliveries());
        } finally {
            Tools.stop(server);
        }
    }

    /** A server that is not there: the client's own message, not a hang or an empty result. */
    @Test
    void aMissingServerIsOneClearError(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> client.run(OnePublisherClient.Protocol.CHAT,
                OnePublisherClient.Receiving.URING, dir.resolve("nobody.sock"), ProcessHandle.current().pid(),
                new FanoutLoad.Settings(2, 10, 5, 100, 0, 1), "chat"));
        assertTrue(e.getMessage().contains("fanout_client: connect: No such file or directory"), e.getMessage());
    }

    /** The report is read strictly: a line it does not know, or no figures, is an error naming it. */
    @Test
    void anUnexpectedReportIsRefused() {
        IOException odd = assertThrows(IOException.class, () -> OnePublisherClient.parse(
                "deliveries 10\nelapsed_ns 5\nsurprise 1\n", "x"));
        assertTrue(odd.getMessage().endsWith("said something unexpected: surprise 1"), odd.getMessage());
        IOException none = assertThrows(IOException.class, () -> OnePublisherClient.parse(
                "deliveries 10\nelapsed_ns 5\nserver_cpu_ns 0\n", "x"));
        assertTrue(none.getMessage().contains("gave no result"), none.getMessage());
        Outcome o = parsed("deliveries 10\nelapsed_ns 1000\nserver_cpu_ns 20\nlat 1024 4\nlat 5000 6\n");
        assertEquals(10, o.deliveries());
        assertEquals(10, o.latencyNanos().getTotalCount());
        assertEquals(20, o.serverCpuNanos());
    }

    private static Outcome parsed(String report) {
        try {
            return OnePublisherClient.parse(report, "x");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
