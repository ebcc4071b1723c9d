package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.mq.QueueRemovedException;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.testing.KernelWait;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The System V row's parent endpoint removes its queues when it closes: a close is how the bench ends an exchange
 * whose child died (PeerWatch), and only a removal ends an untimed msgrcv. Before, the parent stayed in msgrcv.
 */
class SysVMqMechanismTest {
    @Test
    void closingTheParentsEndpointEndsItsUntimedReceiveAndRemovesTheQueues() throws Exception {
        try (Mechanism.Session session = new SysVMqMechanism().open(Path.of("/tmp"), List.of(64))) {
            List<String> ids = session.childArguments();
            Endpoint parent = session.parentEndpoint();
            CompletableFuture<Long> tid = new CompletableFuture<>();
            CompletableFuture<Throwable> receive = CompletableFuture.supplyAsync(() -> {
                try {
                    tid.complete(KernelWait.currentTid());
                    parent.receive(ByteBuffer.allocateDirect(64)); // no child: nothing ever comes
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }, command -> Thread.ofPlatform().start(command));
            KernelWait.awaitSleepingIn(ProcessHandle.current().pid(), tid.get(10, TimeUnit.SECONDS), "msgrcv",
                    Duration.ofSeconds(10)); // waiting in the kernel, as an untimed receive does
            parent.close();
            assertInstanceOf(QueueRemovedException.class, receive.get(10, TimeUnit.SECONDS));
            for (String id : ids) {
                assertFalse(exists(Integer.parseInt(id)), "queue " + id + " is removed");
            }
        } // the session's close finds the queues gone, and says nothing
    }

    private static boolean exists(int id) {
        try {
            SysVMessageQueue.ofId(id).close();
            return true;
        } catch (IOException e) { // EINVAL: no queue has this id now
            return false;
        }
    }
}
