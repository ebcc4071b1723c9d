package io.ipc4j.interop;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.shm.SysVSharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel-named mechanisms interoperate with programs in other languages: System V queues, shared memory
 * and semaphores with a Python peer (Debian's python3-sysv-ipc), POSIX shared memory and named semaphores
 * with a C peer. Each exchange goes both ways, and each wait is one the peer really makes.
 */
class OtherLanguagePeersTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void sysVQueueWithPython() throws Exception {
        SysVKey key = freshKey(1);
        try (SysVMessageQueue q = SysVMessageQueue.create(key, 0600)) {
            try {
                q.send(3, text("from-java-0"));
                q.send(1, text("from-java-1"));
                q.send(3, text("from-java-2"));
                try (Peers python = Peers.python("sysv_peer", "sysv_ipc", "python3-sysv-ipc", "queue",
                        String.valueOf(key.value()))) {
                    assertEquals(List.of("3:from-java-0", "1:from-java-1", "3:from-java-2"),
                            List.of(python.nextLine(LIMIT), python.nextLine(LIMIT), python.nextLine(LIMIT)));
                    python.awaitSuccess(LIMIT);
                }
                List<String> fromPython = new ArrayList<>();
                ByteBuffer buffer = ByteBuffer.allocate(64);
                for (int i = 0; i < 2; i++) {
                    long type = q.receive(buffer.clear(), 0, LIMIT);
                    fromPython.add(type + ":" + new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
                }
                assertEquals(List.of("4:from-python-0", "9:from-python-1"), fromPython);
            } finally {
                q.remove();
            }
        }
    }

    @Test
    void sysVSharedMemoryWithPython() throws Exception {
        SysVKey key = freshKey(2);
        SysVSharedMemory shm = SysVSharedMemory.create(key, 4096, 0600);
        try (SysVSharedMemory.Attachment at = shm.attach()) {
            MemorySegment memory = at.segment();
            memory.setString(0, "java was here", StandardCharsets.UTF_8);
            try (Peers python = Peers.python("sysv_peer", "sysv_ipc", "python3-sysv-ipc", "shm",
                    String.valueOf(key.value()))) {
                assertEquals("java was here", python.nextLine(LIMIT));
                python.awaitSuccess(LIMIT);
            }
            assertEquals("python was here", memory.getString(64, StandardCharsets.UTF_8));
        } finally {
            shm.remove();
        }
    }

    /** Python blocks taking a unit; the kernel's count of waiters shows it waiting before Java gives one. */
    @Test
    void sysVSemaphoreWithPython() throws Exception {
        SysVKey key = freshKey(3);
        SysVSemaphoreSet set = SysVSemaphoreSet.create(key, 0600, 0);
        try (Peers python = Peers.python("sysv_peer", "sysv_ipc", "python3-sysv-ipc", "sem",
                String.valueOf(key.value()))) {
            assertEquals("waiting", python.nextLine(LIMIT));
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (set.waitingToTake(0) != 1) {
                assertTrue(System.nanoTime() < deadline, "the Python peer never waited on the semaphore");
                Thread.onSpinWait();
            }
            set.operate(SemOp.release(0));
            assertEquals("acquired", python.nextLine(LIMIT));
            python.awaitSuccess(LIMIT);
            assertEquals(2, set.value(0));
        } finally {
            set.remove();
        }
    }

    @Test
    void posixSharedMemoryWithC() throws Exception {
        String name = "/ipc4j-interop-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, 8192)) {
            try {
                MemorySegment memory = shm.segment();
                long sum = 0;
                for (int i = 0; i < 8192; i++) {
                    byte b = (byte) (i * 31 + 7);
                    memory.set(ValueLayout.JAVA_BYTE, i, b);
                    sum += b & 0xff;
                }
                try (Peers c = Peers.c("posix_peer", "shm", name, "8192")) {
                    assertEquals("sum:" + sum, c.nextLine(LIMIT));
                    c.awaitSuccess(LIMIT);
                }
                assertEquals("c was here", memory.getString(0, StandardCharsets.UTF_8));
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void posixSemaphoreWithC() throws Exception {
        String name = "/ipc4j-interop-sem-" + ProcessHandle.current().pid();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 0)) {
            try (Peers c = Peers.c("posix_peer", "sem", name)) {
                assertEquals("waiting", c.nextLine(LIMIT));
                sem.release();
                assertEquals("acquired", c.nextLine(LIMIT));
                c.awaitSuccess(LIMIT);
                assertEquals(2, sem.value());
            } finally {
                sem.unlink();
            }
        }
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A System V key no other object uses: ftok of a file of this test's own (removed at once). */
    private static SysVKey freshKey(int project) throws Exception {
        Path file = LEAKS.scratch().resolve("key-" + project);
        Files.writeString(file, "");
        try {
            return SysVKey.ftok(file, project);
        } finally {
            Files.delete(file);
        }
    }
}
