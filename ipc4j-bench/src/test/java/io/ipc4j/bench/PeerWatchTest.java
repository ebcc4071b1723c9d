package io.ipc4j.bench;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parent's endpoint is closed once its child has exited, so an untimed wait on a dead peer ends. */
class PeerWatchTest {
    @Test
    void theEndpointClosesWhenTheChildExits() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Endpoint endpoint = new Endpoint() {
            @Override
            public void send(ByteBuffer message) {
            }

            @Override
            public void receive(ByteBuffer into) {
            }

            @Override
            public void close() {
                closed.countDown();
            }
        };
        try (ChildProcess child = Spawn.command("sleep", "600").start()) { // runs until killed
            PeerWatch.closeWhenChildExits(child, endpoint);
            assertEquals(1, closed.getCount(), "not while the child runs");
            child.kill();
            assertTrue(closed.await(10, TimeUnit.SECONDS), "the endpoint was not closed after the child died");
        }
    }
}
