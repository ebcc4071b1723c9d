package io.ipc4j.mq;

import io.ipc4j.sysv.SysVKey;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.CPrograms;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.KernelWait;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.ipc4j.mq.PosixMessageQueueTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message queues between this JVM, child JVMs and C programs. */
class MqAcrossProcessesTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;
    private static final int MESSAGES = 100_000;
    private final String name = "/ipc4j-xp-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        PosixMessageQueue.unlink(name);
    }

    private PosixMessageQueue smallQueue() throws Exception {
        int slots = (int) Math.min(10, MqLimits.current().posixMaxMessages());
        return PosixMessageQueue.create(name).maxMessages(slots).messageSize(64).open();
    }

    @Test
    void posixQueueCarriesOneHundredThousandMessagesInOrder() throws Exception {
        try (PosixMessageQueue q = smallQueue();
             ChildJvm.Running producer = ChildJvm.of(MqChildren.PosixProducer.class, name, "" + MESSAGES)
                     .fullJit().start()) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            for (int expected = 0; expected < MESSAGES; expected++) {
                q.receive(buffer.clear(), LIMIT);
                assertEquals(expected, MqChildren.check(buffer), "lost, duplicated or reordered");
            }
            assertEquals("sent " + MESSAGES, producer.finish(LIMIT).stdout().strip());
            assertEquals(-1, q.tryReceive(buffer.clear()), "a message more than was sent");
        }
    }

    @Test
    void aBufferTooSmallTakesNothingSoAProcessThatDiesAfterItLosesNoMessage() throws Exception {
        // #16.14: the message was taken into the handle and lost when the handle closed or the process died
        try (PosixMessageQueue q = smallQueue()) {
            q.send(ByteBuffer.wrap("twelve bytes".getBytes(StandardCharsets.UTF_8)), 3, LIMIT);
            ChildJvm.Result mistaken = ChildJvm.of(MqChildren.PosixSmallBufferReceiver.class, name).run(LIMIT);
            assertEquals(List.of("refused: mq_receive(" + name + "): the buffer has room for 4 bytes, but this"
                    + " queue's messages may have up to 64 bytes (mq_msgsize), and mq_receive needs room for the"
                    + " largest: nothing was taken. Pass a buffer with messageSize() = 64 bytes remaining, or use"
                    + " receiveMessage(timeout), which always fits"), mistaken.stdoutLines(), mistaken.describe());
            assertEquals(1, q.attributes().currentMessages(), "the kernel still holds the message");
            try (ChildJvm.Running waiter = ChildJvm.of(MqChildren.PosixWaiter.class, name, "untimed").start()) {
                assertEquals("got 3:twelve bytes", waiter.finish(LIMIT).stdout().lines().toList().getLast());
            }
        }
    }

    @Test
    void sysVQueueCarriesOneHundredThousandMessagesInOrder() throws Exception {
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try (ChildJvm.Running producer = ChildJvm.of(MqChildren.SysVProducer.class, "" + q.id(), "" + MESSAGES)
                    .fullJit().start()) {
                ByteBuffer buffer = ByteBuffer.allocate(64);
                for (int expected = 0; expected < MESSAGES; expected++) {
                    long type = q.receive(buffer.clear(), 0, LIMIT);
                    assertEquals(expected, MqChildren.check(buffer), "lost, duplicated or reordered");
                    assertEquals(expected % 3 + 1, type);
                }
                assertEquals("sent " + MESSAGES, producer.finish(LIMIT).stdout().strip());
                assertEquals(0, q.tryReceive(buffer.clear(), 0));
            } finally {
                q.remove();
            }
        }
    }

    /**
     * The receiver is first seen asleep, so that the send, not luck, wakes it: untimed, in the queue's own wait
     * (wq_sleep: one mq_timedreceive, as C's mq_receive sleeps); timed, in poll(2) on its descriptor.
     */
    @Test
    void aBlockedPosixReceiverWakesWhenAMessageArrives() throws Exception {
        for (String mode : List.of("untimed", "timed")) {
            try (PosixMessageQueue q = smallQueue();
                 ChildJvm.Running waiter = ChildJvm.of(MqChildren.PosixWaiter.class, name, mode).start()) {
                KernelWait.awaitSleepingIn(waiter.pid(), tid(waiter), mode.equals("untimed") ? "wq_sleep" : "poll",
                        LIMIT);
                q.send(text("wake up"), 4);
                assertEquals("got 4:wake up", waiter.finish(LIMIT).stdout().lines().toList().getLast(), mode);
            } finally {
                PosixMessageQueue.unlink(name);
            }
        }
    }

    @Test
    void aPosixReceiverLearnsThatItsQueueWasUnlinked() throws Exception {
        for (String mode : List.of("untimed", "timed")) {
            try (PosixMessageQueue q = smallQueue();
                 ChildJvm.Running waiter = ChildJvm.of(MqChildren.PosixWaiter.class, name, mode).start()) {
                KernelWait.awaitSleepingIn(waiter.pid(), tid(waiter), mode.equals("untimed") ? "wq_sleep" : "poll",
                        LIMIT);
                q.unlink();
                assertEquals("removed: mq_receive(" + name + "): the queue was unlinked (mq_unlink) and is empty: no "
                        + "new sender can reach it", waiter.finish(LIMIT).stdout().lines().toList().getLast(), mode);
            }
        }
    }

    /**
     * The untimed receiver is first seen asleep in the kernel's msgrcv; the timed one (System V queues have no
     * timed receive, so it retries) asleep between tries, in a futex (parkNanos).
     */
    @Test
    void aBlockedSysVReceiverWakesWhenAMessageArrives() throws Exception {
        for (String mode : List.of("untimed", "timed")) {
            try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
                try (ChildJvm.Running waiter = ChildJvm.of(MqChildren.SysVWaiter.class, "" + q.id(), mode).start()) {
                    KernelWait.awaitSleepingIn(waiter.pid(), tid(waiter), mode.equals("untimed") ? "msgrcv" : "futex",
                            LIMIT);
                    q.send(6, text("wake up"));
                    assertEquals("got 6:wake up", waiter.finish(LIMIT).stdout().lines().toList().getLast(), mode);
                } finally {
                    q.remove();
                }
            }
        }
    }

    @Test
    void aSysVReceiverLearnsThatItsQueueWasRemoved() throws Exception {
        for (String mode : List.of("untimed", "timed")) {
            try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
                 ChildJvm.Running waiter = ChildJvm.of(MqChildren.SysVWaiter.class, "" + q.id(), mode).start()) {
                KernelWait.awaitSleepingIn(waiter.pid(), tid(waiter), mode.equals("untimed") ? "msgrcv" : "futex",
                        LIMIT);
                q.remove();
                String last = waiter.finish(LIMIT).stdout().lines().toList().getLast();
                assertTrue(last.startsWith("removed: msgrcv(System V queue id " + q.id()) && last.endsWith(
                        "the queue was removed (IPC_RMID)"), mode + ": " + last);
            }
        }
    }

    @Test
    void prioritiesSentByAnotherProcessArriveHighestFirst() throws Exception {
        try (PosixMessageQueue q = smallQueue()) {
            ChildJvm.Result sender = ChildJvm.of(MqChildren.PosixMixedPriorities.class, name).run(LIMIT);
            assertEquals(0, sender.status().code(), sender.describe());
            List<String> received = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(64);
            for (int i = 0; i < 4; i++) {
                int priority = q.receive(buffer.clear(), LIMIT);
                received.add(priority + ":" + text(buffer));
            }
            assertEquals(List.of("9:high", "9:high-again", "5:mid", "1:low"), received);
        }
    }

    @Test
    void posixQueuesInteroperateWithACProgram() throws Exception {
        Path peer = CPrograms.compile("mq_peer");
        try (PosixMessageQueue q = smallQueue()) {
            assertEquals(0, Spawn.command(peer.toString(), "posix-send", name, "8").start().waitFor(LIMIT).code());
            List<String> fromC = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(64);
            while (q.tryReceive(buffer.clear()) >= 0) {
                fromC.add(text(buffer));
            }
            assertEquals(List.of("c-msg-3", "c-msg-7", "c-msg-2", "c-msg-6", "c-msg-1", "c-msg-5", "c-msg-0",
                    "c-msg-4"), fromC);

            q.send(text("from-java-a"), 2);
            q.send(text("from-java-b"), 7);
            assertEquals(List.of("7:from-java-b", "2:from-java-a"), runAndRead(peer, "posix-recv", name, "2"));
        }
    }

    @Test
    void sysVQueuesInteroperateWithACProgram() throws Exception {
        Path peer = CPrograms.compile("mq_peer");
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try {
                assertEquals(0, Spawn.command(peer.toString(), "sysv-send", "" + q.id(), "4").start().waitFor(LIMIT)
                        .code());
                List<String> fromC = new ArrayList<>();
                ByteBuffer buffer = ByteBuffer.allocate(64);
                long type;
                while ((type = q.tryReceive(buffer.clear(), -2)) > 0) {
                    fromC.add(type + ":" + text(buffer));
                }
                assertEquals(List.of("1:c-msg-0", "1:c-msg-3", "2:c-msg-1"), fromC);

                q.send(5, text("from-java"));
                assertEquals(List.of("3:c-msg-2", "5:from-java"), runAndRead(peer, "sysv-recv", "" + q.id(), "2"));
            } finally {
                q.remove();
            }
        }
    }

    private static List<String> runAndRead(Path program, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        try (Pipe out = Pipe.open(); ChildProcess child = Spawn.command(command).stdout(out.writer()).start()) {
            out.writer().close();
            String text = new String(out.reader().inputStream(LIMIT).readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, child.waitFor(LIMIT).code(), text);
            return text.lines().toList();
        }
    }

    /** The thread id a waiter prints ("waiting TID") just before it blocks. */
    private static long tid(ChildJvm.Running waiter) throws Exception {
        return Long.parseLong(waiter.awaitLine(line -> line.startsWith("waiting "), LIMIT).substring(8));
    }
}
