package io.ipc4j.channel;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Trigger;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A channel's receiver waiting in an event loop through its doorbell, with a sender in another process. */
class DoorbellTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final long PACED = 1_000;
    private static final long BURST = 200_000;
    private final String name = "/ipc4j-doorbell-" + ProcessHandle.current().pid();

    private java.util.Map<Integer, String> descriptorsBefore;

    @org.junit.jupiter.api.BeforeEach
    void countDescriptors() throws Exception {
        try (EventLoop warm = EventLoop.open()) { // loads the classes, so that the count is fair
            warm.selectNow();
        }
        descriptorsBefore = io.ipc4j.testing.Descriptors.open();
    }

    /** Closing the channel closes the doorbell and the sender's copy of it (the child's pipes close soon). */
    @AfterEach
    void unlinkAndCountDescriptors() throws Exception {
        OneToOneChannel.unlink(name);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!descriptorsBefore.equals(io.ipc4j.testing.Descriptors.open()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(descriptorsBefore, io.ipc4j.testing.Descriptors.open(), "descriptors left open");
    }

    @Test
    @SuppressWarnings("try")
    void aReceiverInAnEventLoopGetsEveryMessageInOrderWhetherItSleepsOrNot() throws Exception {
        AtomicLong expected = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        ByteBuffer ack = ByteBuffer.allocate(1);
        try (OneToOneChannel channel = OneToOneChannel.create(name, 1 << 16);
             Pipe acks = Pipe.open();
             EventLoop loop = EventLoop.open();
             ChildJvm.Running sender = ChildJvm.of(DoorbellChildren.Sender.class, name, "" + PACED, "" + BURST)
                     .fullJit().inherit(acks.reader(), 3).start()) {
            RingReceiver receiver = channel.receiver();
            MessageHandler handler = (type, ring, offset, length) -> {
                long seq = ring.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
                if (seq != expected.getAndIncrement()) {
                    outOfOrder.incrementAndGet();
                }
                if (seq < PACED) {
                    try {
                        acks.writer().write(ack.clear());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                if (seq == PACED + BURST - 1) {
                    loop.close();
                }
            };
            java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            loop.onFailure((source, e) -> failures.add(source + ": " + e));
            loop.register(receiver.doorbell(), Interest.READ, Trigger.LEVEL, r -> receiver.drain(handler, 256));
            receiver.drain(handler, 256); // what came before the loop started, and the first announcement
            Thread thread = loop.start("doorbell-loop");
            thread.join(ChildJvm.DEFAULT_TIMEOUT.toMillis());
            assertEquals(java.util.List.of(), failures);
            assertEquals(PACED + BURST, expected.get(), "messages received; a lost wake-up leaves the loop asleep");
            assertEquals(0, outOfOrder.get());
            String line = sender.finish(ChildJvm.DEFAULT_TIMEOUT).stdout().strip();
            assertTrue(line.startsWith("sent " + (PACED + BURST) + " rings "), line);
            long rings = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            assertTrue(rings >= 1 && rings <= PACED + BURST, "rings: " + rings);
            System.out.println("doorbell rings for " + (PACED + BURST) + " messages (" + PACED + " paced): " + rings);
        }
    }
}
