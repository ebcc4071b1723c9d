package io.ipc4j.mq;

import io.ipc4j.sysv.SysVKey;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import static io.ipc4j.mq.PosixMessageQueueTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** System V message queues within one process: type selection, limits, status and errors. */
class SysVMessageQueueTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration SECOND = Duration.ofSeconds(1);

    private static String receive(SysVMessageQueue q, long type, ReceiveOption... options) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        long got = q.receive(buffer, type, SECOND, options);
        return got + ":" + text(buffer);
    }

    @Test
    void typesSelectMessagesAsMsgrcvPromises() throws Exception {
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try {
                q.send(3, text("t3-a"));
                q.send(1, text("t1-a"));
                q.send(2, text("t2-a"));
                q.send(1, text("t1-b"));
                q.send(3, text("t3-b"), SECOND);
                assertEquals("2:t2-a", receive(q, 2));
                assertEquals("1:t1-a", receive(q, -2));
                assertEquals("3:t3-a", receive(q, 0));
                assertEquals("3:t3-b", receive(q, 1, ReceiveOption.EXCEPT_TYPE));
                assertEquals("1:t1-b", receive(q, 0));
                assertEquals(0, q.tryReceive(ByteBuffer.allocate(8), 0));
            } finally {
                q.remove();
            }
        }
    }

    @Test
    void anEmptyQueueTimesOutAndAFullOneRefuses() throws Exception {
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try {
                IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                        () -> q.receive(ByteBuffer.allocate(8), 5, Duration.ofMillis(100)));
                assertEquals("msgrcv(" + q + ", type 5): timed out after 100 ms", e.getMessage());
                long capacity = q.status().maxBytes();
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(capacity, q.maxMessageSize()));
                long sent = 0;
                while (q.trySend(1, chunk.clear())) {
                    sent += chunk.capacity();
                }
                assertEquals(capacity, sent, "the queue holds msg_qbytes bytes");
                var full = assertThrows(IpcTimeoutException.class,
                        () -> q.send(1, chunk.clear(), Duration.ofMillis(50)));
                assertEquals("msgsnd(" + q + "): the queue is full: timed out after 50 ms", full.getMessage());
            } finally {
                q.remove();
            }
        }
    }

    @Test
    void aMessageLargerThanTheBufferStaysUnlessTruncationIsAsked() throws Exception {
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600)) {
            try {
                q.send(4, text("0123456789"));
                BufferTooSmallException e = assertThrows(BufferTooSmallException.class,
                        () -> q.receive(ByteBuffer.allocate(4), 0, SECOND));
                assertEquals(-1, e.messageLength());
                assertEquals(1, q.status().messages());
                ByteBuffer small = ByteBuffer.allocate(4);
                assertEquals(4, q.receive(small, 0, SECOND, ReceiveOption.TRUNCATE));
                assertEquals("0123", text(small));
                assertEquals(0, q.status().messages());
            } finally {
                q.remove();
            }
        }
    }

    @Test
    void statusCountsMessagesBytesAndPids() throws Exception {
        try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0640)) {
            try {
                SysVQueueStatus fresh = q.status();
                assertEquals(0, fresh.messages());
                assertEquals(0, fresh.lastSendPid());
                assertNull(fresh.lastSend());
                assertEquals(0640, fresh.mode());
                q.send(7, text("abc"));
                q.send(7, text("de"));
                SysVQueueStatus status = q.status();
                assertEquals(2, status.messages());
                assertEquals(5, status.bytes());
                assertEquals(Spawn.currentPid(), status.lastSendPid());
                assertEquals(SysVKey.PRIVATE, status.key());
                assertEquals(q.id(), SysVMessageQueue.ofId(q.id()).id());
            } finally {
                q.remove();
            }
        }
    }

    @Test
    void keysFromFtokAreStableAndExclusiveCreationIsChecked() throws Exception {
        Path file = Files.writeString(LEAKS.scratch().resolve("key-file"), "x");
        try {
            SysVKey key = SysVKey.ftok(file, 42);
            assertEquals(key, SysVKey.ftok(file, 42));
            assertEquals(key, SysVKey.parse(key.toString()));
            try (SysVMessageQueue q = SysVMessageQueue.create(key, 0600)) {
                try {
                    var exists = assertThrows(FileAlreadyExistsException.class, () -> SysVMessageQueue.create(key, 0600));
                    assertEquals("msgget(key " + key + ") failed: EEXIST (File exists)", exists.getMessage());
                    try (SysVMessageQueue same = SysVMessageQueue.open(key)) {
                        assertEquals(q.id(), same.id());
                    }
                } finally {
                    q.remove();
                }
            }
            var missing = assertThrows(NoSuchFileException.class, () -> SysVMessageQueue.open(key));
            assertEquals("msgget(key " + key + ") failed: ENOENT (No such file or directory): no queue has this key: "
                    + "create it first", missing.getMessage());
        } finally {
            Files.delete(file);
        }
        var noFile = assertThrows(NoSuchFileException.class, () -> SysVKey.ftok(Path.of("/no/such/file"), 1));
        assertEquals("ftok(/no/such/file, 1) failed: ENOENT (No such file or directory): ftok needs an existing file",
                noFile.getMessage());
    }

    @Test
    void badInputIsRefusedClearly() throws Exception {
        SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        try {
            assertEquals("a System V message type must be >= 1, not 0",
                    assertThrows(IllegalArgumentException.class, () -> q.send(0, text("x"))).getMessage());
            ByteBuffer huge = ByteBuffer.allocate((int) q.maxMessageSize() + 1);
            assertEquals("msgsnd(" + q + "): a message of " + huge.capacity() + " bytes is larger than this "
                    + "machine's kernel.msgmax of " + q.maxMessageSize() + " bytes (/proc/sys/kernel/msgmax)",
                    assertThrows(IllegalArgumentException.class, () -> q.send(1, huge)).getMessage());
        } finally {
            q.remove();
        }
        q.close();
        q.close();
        assertThrows(ClosedChannelException.class, () -> q.send(1, text("x")));
    }

    @Test
    void aRemovedQueueIsReportedAsRemoved() throws Exception {
        SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        q.remove();
        var e = assertThrows(QueueRemovedException.class, () -> q.tryReceive(ByteBuffer.allocate(8), 0));
        assertEquals("msgrcv(" + q + ") failed: EINVAL (Invalid argument): the queue was removed (IPC_RMID)",
                e.getMessage());
    }
}
