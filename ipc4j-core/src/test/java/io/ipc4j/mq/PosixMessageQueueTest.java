package io.ipc4j.mq;

import io.ipc4j.ErrnoException;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POSIX message queues within one process: order, limits, timeouts and the errors that teach. */
class PosixMessageQueueTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration SECOND = Duration.ofSeconds(1);
    private final String name = "/ipc4j-test-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        PosixMessageQueue.unlink(name);
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(ByteBuffer b) {
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void higherPriorityFirstAndFirstInFirstOutWithinAPriority() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).maxMessages(5).messageSize(64).open()) {
            q.send(text("low"), 1);
            q.send(text("high-1"), 9);
            q.send(text("mid"), 5);
            q.send(text("high-2"), 9, SECOND);
            assertTrue(q.trySend(ByteBuffer.allocateDirect(3).put("low".getBytes()).flip(), 1));
            assertEquals(5, q.attributes().currentMessages());
            List<String> received = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(64);
            int priority;
            while ((priority = q.tryReceive(buffer.clear())) >= 0) {
                received.add(priority + ":" + text(buffer));
            }
            assertEquals(List.of("9:high-1", "9:high-2", "5:mid", "1:low", "1:low"), received);
        }
    }

    @Test
    void attributesAreWhatWasAskedFor() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).maxMessages(3).messageSize(100).open()) {
            assertEquals(new PosixQueueAttributes(3, 100, 0), q.attributes());
            assertEquals(100, q.messageSize());
            assertEquals(3, q.maxMessages());
        }
    }

    @Test
    void aFullQueueRefusesTrySendAndTimesOutASend() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).maxMessages(2).messageSize(8).open()) {
            assertTrue(q.trySend(text("1"), 0));
            assertTrue(q.trySend(text("2"), 0));
            ByteBuffer third = text("3");
            assertFalse(q.trySend(third, 0));
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> q.send(third, 0, Duration.ofMillis(100)));
            assertEquals("mq_send(" + name + "): the queue is full (2 messages): timed out after 100 ms",
                    e.getMessage());
            assertEquals(0, third.position(), "a message that was not sent stays in the buffer");
        }
    }

    @Test
    void anEmptyQueueTimesOutAReceive() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).open()) {
            assertEquals(-1, q.tryReceive(ByteBuffer.allocate(q.messageSize())));
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> q.receive(ByteBuffer.allocate(q.messageSize()), Duration.ofMillis(100)));
            assertEquals("mq_receive(" + name + "): timed out after 100 ms", e.getMessage());
            assertFalse(q.awaitMessage(Duration.ofMillis(10)));
        }
    }

    @Test
    void aBufferSmallerThanTheMessageSizeIsRefusedBeforeAnythingIsTaken() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).maxMessages(2).messageSize(64).open()) {
            q.send(text("twelve bytes"), 3);
            BufferTooSmallException e = assertThrows(BufferTooSmallException.class,
                    () -> q.receive(ByteBuffer.allocate(12), SECOND));
            assertEquals(-1, e.messageLength());
            assertTrue(e.getMessage().startsWith("mq_receive(" + name + "): the buffer has room for 12 bytes, but"
                    + " this queue's messages may have up to 64 bytes (mq_msgsize)"), e.getMessage());
            assertThrows(BufferTooSmallException.class, () -> q.tryReceive(ByteBuffer.allocateDirect(63)));
            assertEquals(1, q.attributes().currentMessages(), "nothing was taken");
            ReceivedMessage m = q.receiveMessage(SECOND);
            assertEquals(3, m.priority());
            assertEquals("twelve bytes", new String(m.data(), java.nio.charset.StandardCharsets.UTF_8));
            q.send(text("direct"), 1);
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            assertEquals(1, q.receive(direct, SECOND));
            assertEquals(6, direct.position());
        }
    }

    @Test
    void aMessageLargerThanTheQueuesMessageSizeIsRefused() throws Exception {
        try (PosixMessageQueue q = PosixMessageQueue.create(name).maxMessages(2).messageSize(4).open()) {
            var e = assertThrows(IllegalArgumentException.class, () -> q.send(text("12345"), 0));
            assertEquals("mq_send(" + name + "): a message of 5 bytes is larger than this queue's message size "
                    + "(mq_msgsize) of 4 bytes; create the queue with a larger messageSize (at most "
                    + "fs.mqueue.msgsize_max)", e.getMessage());
        }
    }

    @Test
    void limitsAboveTheMachinesSayWhichLimitAndWhereItIsSet() {
        MqLimits limits = MqLimits.current();
        int tooMany = (int) limits.posixMaxMessages() + 1;
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> PosixMessageQueue.create(name).maxMessages(tooMany).messageSize(64).open());
        assertEquals("mq_open(" + name + ") failed: EINVAL (Invalid argument): maxMessages " + tooMany
                + " is above this machine's limit fs.mqueue.msg_max = " + limits.posixMaxMessages()
                + " (/proc/sys/fs/mqueue/msg_max; raising it needs CAP_SYS_RESOURCE: sysctl -w "
                + "fs.mqueue.msg_max=N)", e.getMessage());
        int tooBig = (int) limits.posixMaxMessageSize() + 1;
        ErrnoException big = assertThrows(ErrnoException.class,
                () -> PosixMessageQueue.create(name).maxMessages(1).messageSize(tooBig).open());
        assertTrue(big.getMessage().endsWith("messageSize " + tooBig + " is above this machine's limit "
                + "fs.mqueue.msgsize_max = " + limits.posixMaxMessageSize() + " (/proc/sys/fs/mqueue/msgsize_max; "
                + "raising it needs CAP_SYS_RESOURCE: sysctl -w fs.mqueue.msgsize_max=N)"), big.getMessage());
    }

    @Test
    void namesMustStartWithASlash() {
        var e = assertThrows(IllegalArgumentException.class, () -> PosixMessageQueue.open("orders"));
        assertEquals("bad POSIX queue name \"orders\": a queue name is one '/' followed by 1 to 254 characters "
                + "with no other '/', e.g. \"/orders\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PosixMessageQueue.create("/a/b"));
    }

    @Test
    void existingAndMissingQueuesAreJdkFileExceptions() throws Exception {
        var missing = assertThrows(NoSuchFileException.class, () -> PosixMessageQueue.open(name));
        assertEquals("mq_open(" + name + ") failed: ENOENT (No such file or directory): no queue has this name: "
                + "create it first, or check the name", missing.getMessage());
        try (PosixMessageQueue q = PosixMessageQueue.create(name).exclusive().open()) {
            var exists = assertThrows(FileAlreadyExistsException.class,
                    () -> PosixMessageQueue.create(name).exclusive().open());
            assertEquals("mq_open(" + name + ") failed: EEXIST (File exists): the queue exists and exclusive "
                    + "creation was asked for", exists.getMessage());
            try (PosixMessageQueue again = PosixMessageQueue.create(name).open()) {
                again.send(text("shared"), 0);
            }
            ByteBuffer buffer = ByteBuffer.allocate(q.messageSize());
            q.receive(buffer, SECOND);
            assertEquals("shared", text(buffer));
        }
        assertTrue(PosixMessageQueue.unlink(name));
        assertFalse(PosixMessageQueue.unlink(name));
    }

    @Test
    void aReadOnlyQueueRefusesToSend() throws Exception {
        try (PosixMessageQueue created = PosixMessageQueue.create(name).open();
             PosixMessageQueue readOnly = PosixMessageQueue.open(name, Access.READ_ONLY)) {
            var e = assertThrows(ErrnoException.class, () -> readOnly.send(text("x"), 0));
            assertEquals("mq_send(" + name + ") failed: EBADF (Bad file descriptor): the queue was not opened for "
                    + "writing", e.getMessage());
            assertEquals(0, created.attributes().currentMessages());
        }
    }
}
