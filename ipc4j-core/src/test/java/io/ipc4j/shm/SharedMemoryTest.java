package io.ipc4j.shm;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.ValueLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POSIX and System V shared memory and mapped files, between processes. */
class SharedMemoryTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;
    private final String name = "/ipc4j-shm-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        SharedMemory.unlink(name);
    }

    private static void run(Class<?> main, String... args) throws Exception {
        ChildJvm.Result result = ChildJvm.of(main, args).run(LIMIT);
        assertEquals(0, result.status().code(), result.describe());
    }

    @Test
    void posixWritesByOneProcessAreSeenByAnother() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            assertEquals(1 << 20, shm.size());
            run(ShmChildren.PosixWriter.class, name, "written by the child");
            assertEquals("written by the child", ShmChildren.read(shm.buffer()));
        }
    }

    @Test
    void atomicsAcrossProcessesLoseNoUpdate() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096);
             ChildJvm.Running one = ChildJvm.of(ShmChildren.AtomicAdder.class, name, "500000").fullJit().start();
             ChildJvm.Running two = ChildJvm.of(ShmChildren.AtomicAdder.class, name, "500000").fullJit().start()) {
            assertEquals("done", one.finish(LIMIT).stdout().strip());
            assertEquals("done", two.finish(LIMIT).stdout().strip());
            assertEquals(1_000_000, shm.buffer().getLongVolatile(64));
        }
    }

    @Test
    void unlinkingLeavesExistingMappingsWorking() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            shm.buffer().putLong(0, 42);
            assertTrue(shm.unlink());
            assertFalse(SharedMemory.unlink(name));
            var e = assertThrows(NoSuchFileException.class, () -> SharedMemory.open(name));
            assertEquals("shm_open(" + name + ") failed: ENOENT (No such file or directory): no shared memory "
                    + "object has this name", e.getMessage());
            shm.buffer().putLong(8, 43);
            assertEquals(42 + 43, shm.buffer().getLong(0) + shm.buffer().getLong(8));
        }
    }

    @Test
    void truncationByAnotherProcessIsAnInternalErrorNotACrash() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 65536)) {
            shm.segment().set(ValueLayout.JAVA_INT, 60000, 7);
            assertEquals(0, Spawn.command("truncate", "-s", "4096", "/dev/shm" + name).start().waitFor(LIMIT).code());
            assertEquals(4096, shm.objectSize());
            assertEquals(65536, shm.size());
            InternalError e = assertThrows(InternalError.class, () -> shm.segment().get(ValueLayout.JAVA_INT, 60000));
            assertEquals("a fault occurred in an unsafe memory access operation", e.getMessage());
            shm.segment().set(ValueLayout.JAVA_INT, 100, 1);
        }
    }

    @Test
    void badUseIsAnExceptionNeverACrash() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            assertThrows(IndexOutOfBoundsException.class, () -> shm.segment().get(ValueLayout.JAVA_LONG, 4096));
            assertEquals("offset 6 is not aligned to 4 bytes: atomic and ordered accesses need natural alignment",
                    assertThrows(IllegalArgumentException.class, () -> shm.buffer().getIntAcquire(6)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> shm.buffer().compareAndSetLong(4, 0, 1));
            var exists = assertThrows(FileAlreadyExistsException.class, () -> SharedMemory.create(name, 4096));
            assertEquals("shm_open(" + name + ") failed: EEXIST (File exists)", exists.getMessage());
            try (SharedMemory readOnly = SharedMemory.openReadOnly(name)) {
                assertThrows(IllegalArgumentException.class, () -> readOnly.buffer().putInt(0, 1));
                shm.buffer().putInt(0, 5);
                assertEquals(5, readOnly.buffer().getIntVolatile(0));
            }
            var badName = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("frames", 1));
            assertTrue(badName.getMessage().startsWith("bad POSIX shared memory name \"frames\""));
        }
        SharedMemory closed = SharedMemory.open(name);
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.segment().get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void sysVSegmentsAreSharedCountedAndRemovedAfterTheLastDetach() throws Exception {
        SysVSharedMemory shm = SysVSharedMemory.create(SysVKey.PRIVATE, 8192, 0600);
        try {
            attachCountAndRemove(shm);
        } finally {
            removeIfStillThere(shm);
        }
        assertThrows(java.io.IOException.class, shm::status);
    }

    /** After a failure before the test's own remove: leave nothing behind. */
    private static void removeIfStillThere(SysVSharedMemory shm) throws Exception {
        boolean present;
        try {
            present = !shm.status().markedForRemoval();
        } catch (java.io.IOException gone) {
            present = false;
        }
        if (present) {
            shm.remove();
        }
    }

    private static void attachCountAndRemove(SysVSharedMemory shm) throws Exception {
        try (SysVSharedMemory.Attachment mine = shm.attach()) {
            SysVSegmentStatus fresh = shm.status();
            assertEquals(8192, fresh.size());
            assertEquals(1, fresh.attachments());
            assertEquals(Spawn.currentPid(), fresh.creatorPid());
            ChildJvm.Result child = ChildJvm.of(ShmChildren.SysVWriter.class, "" + shm.id(), "from a child").run(LIMIT);
            assertEquals("attachments while attached: 2", child.stdout().strip(), child.describe());
            assertEquals("from a child", ShmChildren.read(mine.buffer()));
            assertTrue(shm.status().lastPid() != Spawn.currentPid(), "the child detached last");
            try (SysVSharedMemory.Attachment readOnly = shm.attachReadOnly()) {
                assertThrows(IllegalArgumentException.class, () -> readOnly.buffer().putInt(0, 9));
                assertEquals(2, shm.status().attachments());
            }
            shm.remove();
            assertTrue(shm.status().markedForRemoval());
            mine.buffer().putInt(4, 77);
            assertEquals(77, mine.buffer().getInt(4));
        }
    }

    @Test
    void sysVKeysFindTheSameSegment() throws Exception {
        Path file = Files.writeString(LEAKS.scratch().resolve("key"), "k");
        try {
            SysVKey key = SysVKey.ftok(file, 3);
            SysVSharedMemory created = SysVSharedMemory.create(key, 4096, 0644);
            try {
                assertEquals(created.id(), SysVSharedMemory.open(key).id());
                assertEquals(0644, created.status().mode());
                assertNull(created.status().lastAttach());
                assertThrows(FileAlreadyExistsException.class, () -> SysVSharedMemory.create(key, 4096, 0600));
            } finally {
                created.remove();
            }
            assertThrows(NoSuchFileException.class, () -> SysVSharedMemory.open(key));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void mappedFilesAreSharedBoundsCheckedAndGrow() throws Exception {
        Path path = LEAKS.scratch().resolve("mapped");
        try (MappedFile file = MappedFile.openReadWrite(path, 4096)) {
            assertEquals(4096, Files.size(path));
            run(ShmChildren.FileWriter.class, path.toString(), "through the file");
            assertEquals("through the file", ShmChildren.read(file.buffer()));
            assertThrows(IndexOutOfBoundsException.class, () -> file.segment().get(ValueLayout.JAVA_BYTE, 4096));
            var old = file.segment();
            file.growTo(1 << 20);
            assertEquals(1 << 20, Files.size(path));
            assertThrows(IllegalStateException.class, () -> old.get(ValueLayout.JAVA_BYTE, 0));
            file.segment().set(ValueLayout.JAVA_BYTE, (1 << 20) - 1, (byte) 9);
            file.force();
            assertEquals("through the file", ShmChildren.read(file.buffer()));
        }
        try (MappedFile readOnly = MappedFile.openReadOnly(path)) {
            assertEquals(9, readOnly.segment().get(ValueLayout.JAVA_BYTE, (1 << 20) - 1));
            assertThrows(IllegalArgumentException.class,
                    () -> readOnly.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            assertEquals("mapping [0, 2097152) of " + path + " reaches past its end (1048576 bytes); a read-only "
                    + "mapping cannot grow it", assertThrows(IllegalArgumentException.class,
                            () -> MappedFile.openReadOnly(path, 0, 2 << 20)).getMessage());
        } finally {
            Files.delete(path);
        }
    }
}
