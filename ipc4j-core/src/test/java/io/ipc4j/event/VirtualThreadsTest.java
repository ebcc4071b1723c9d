package io.ipc4j.event;

import io.ipc4j.internal.wait.Deadline;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.socket.Endpoint;
import io.ipc4j.socket.InetEndpoint;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.Descriptors;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking ipc4j calls on virtual threads park the virtual thread, not its carrier (#17): 10,000 virtual
 * threads on two carriers, each blocked receiving from its own FIFO, Unix socket or POSIX queue, all parked at
 * once, all released by another process's writes.
 */
class VirtualThreadsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(300);
    private static final int FIFOS = 3_000;
    private static final int SOCKETS = 6_800;
    private static final int QUEUES = 200;

    private final String prefix = "/ipc4j-vt-" + ProcessHandle.current().pid() + "-";

    @Test
    void tenThousandVirtualThreadsOnTwoCarriersAreAllParkedThenAllReleasedByAnotherProcess() throws Exception {
        Path dir = LEAKS.scratch();
        String[] args = {dir.toString(), "" + FIFOS, "" + SOCKETS, "" + QUEUES, prefix};
        try (EventFd go = EventFd.create(0, EventFd.Mode.COUNTER);
             ChildJvm.Running waiters = ChildJvm.of(VirtualThreadChildren.Waiters.class, args)
                     .jvmOption("-Djdk.virtualThreadScheduler.parallelism=2")
                     .jvmOption("-Djdk.virtualThreadScheduler.maxPoolSize=2").start()) {
            waiters.awaitLine("ready"::equals, LIMIT);
            try (ChildJvm.Running writer = ChildJvm.of(VirtualThreadChildren.Writer.class, args)
                    .inherit(go, 3).start()) {
                writer.awaitLine("connected"::equals, LIMIT);
                String parked = waiters.awaitLine(line -> line.startsWith("parked"), LIMIT);
                assertEquals("parked 10000", parked, "a thread blocked its carrier instead of parking");
                go.signal(1);
                assertTrue(writer.finish(LIMIT).stdoutLines().contains("wrote 10000"));
            }
            ChildJvm.Result result = waiters.finish(LIMIT);
            long sum = 0;
            for (int i = 0; i < FIFOS + SOCKETS + QUEUES; i++) {
                sum += VirtualThreadChildren.byteFor(i);
            }
            assertEquals(0, result.status().code(), result.stderr());
            assertTrue(result.stdoutLines().contains("released 10000 sum " + sum), result.stdout() + result.stderr());
            assertTrue(result.stdoutLines().contains("pinned 0"), result.stdout() + result.stderr());
            System.out.println(result.stderr().strip()); // how long the release took, for the record
        }
    }

    /**
     * Close from another thread wakes a parked virtual thread at once with AsynchronousCloseException (#17):
     * 2,000 virtual threads blocked reading their own pipes; half the pipes are closed under them, the other half
     * written to. Exact counts, and no descriptor left (the shared poller forgets a descriptor before it closes).
     */
    @Test
    void closingUnderParkedVirtualThreadsWakesThemAndLeavesNoDescriptor() throws Exception {
        try (Pipe warm = Pipe.open()) { // a first real wait starts the shared poller: then the count is fair
            Thread reader = Thread.ofVirtual().start(() -> read(warm, new AtomicInteger(), new AtomicInteger()));
            while (reader.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(10);
            }
            warm.writer().write(ByteBuffer.wrap(new byte[] {1}));
            reader.join(LIMIT.toMillis());
        }
        Map<Integer, String> before = Descriptors.open();
        int count = 2_000;
        AtomicInteger data = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        List<Pipe> pipes = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pipe pipe = Pipe.open();
            pipes.add(pipe);
            threads.add(Thread.ofVirtual().start(() -> read(pipe, data, closed)));
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (threads.stream().anyMatch(t -> t.getState() != Thread.State.TIMED_WAITING)) { // parked, timed
            assertTrue(System.nanoTime() < deadline, "not all parked");
            Thread.sleep(20);
        }
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0) {
                pipes.get(i).reader().close();
            } else {
                pipes.get(i).writer().write(ByteBuffer.wrap(new byte[] {7}));
            }
        }
        for (Thread t : threads) { // the reads would time out after 300 s: a missed wake-up shows as a hang here
            t.join(Duration.ofSeconds(60).toMillis());
            assertTrue(!t.isAlive(), "a reader is still blocked");
        }
        assertEquals(count / 2, closed.get(), "woken by close");
        assertEquals(count / 2, data.get(), "woken by data");
        pipes.forEach(Pipe::close);
        assertEquals(before, Descriptors.open(), "descriptors left open");
    }

    /**
     * A TCP connect that waits for its handshake parks its virtual thread (it held the carrier in poll(2)
     * before #17's Deadline change). The server's accept queue is filled, so the kernel drops the next SYN and
     * the connect waits for a retransmission; once the queue is drained by accepting, it completes.
     */
    @Test
    void aTcpConnectWaitingForItsHandshakeParksTheVirtualThread() throws Exception {
        List<StreamSocket> queued = new ArrayList<>();
        try (SocketServer<StreamSocket> server = SocketServer.stream(InetEndpoint.loopback(0), 0600, 1)) {
            Endpoint endpoint = server.endpoint();
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) { // backlog 1: the kernel queues two, drops the third's SYN
                try {
                    queued.add(StreamSocket.connect(endpoint, Duration.ofMillis(300)));
                } catch (IpcTimeoutException e) {
                    full = true;
                }
            }
            assertTrue(full, "the accept queue never filled: " + queued.size() + " connected");
            java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
            Thread connector = Thread.ofVirtual().start(() -> {
                try {
                    outcome.set(StreamSocket.connect(endpoint, LIMIT));
                } catch (Exception e) {
                    outcome.set(e);
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (connector.getState() != Thread.State.TIMED_WAITING) { // RUNNABLE while a carrier polls
                assertTrue(System.nanoTime() < deadline, "the connecting virtual thread never parked: "
                        + connector.getState());
                Thread.sleep(10);
            }
            for (int i = 0; i < queued.size(); i++) {
                server.accept(LIMIT).close();
            }
            connector.join(LIMIT.toMillis());
            assertTrue(outcome.get() instanceof StreamSocket, "connect: " + outcome.get());
            ((StreamSocket) outcome.get()).close();
        } finally {
            queued.forEach(StreamSocket::close);
        }
    }

    private static void read(Pipe pipe, AtomicInteger data, AtomicInteger closed) {
        try {
            if (pipe.reader().read(ByteBuffer.allocate(1), LIMIT) == 1) {
                data.incrementAndGet();
            }
        } catch (AsynchronousCloseException e) {
            closed.incrementAndGet();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
