package io.ipc4j.sync;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.Arena;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semaphores, futexes and the robust mutex within one process: the API contracts. */
class SyncTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private final String name = "/ipc4j-sync-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        PosixSemaphore.unlink(name);
        SharedMemory.unlink(name);
    }

    @Test
    void posixSemaphoreCountsAndTimesOut() throws Exception {
        try (PosixSemaphore sem = PosixSemaphore.create(name, 2)) {
            assertEquals(2, sem.value());
            assertTrue(sem.tryAcquire());
            assertTrue(sem.tryAcquire(Duration.ofMillis(10)));
            assertFalse(sem.tryAcquire());
            assertFalse(sem.tryAcquire(Duration.ofMillis(50)));
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class, () -> sem.acquire(Duration.ofMillis(50)));
            assertEquals("sem_clockwait(" + name + "): timed out after 50 ms", e.getMessage());
            sem.release();
            try (PosixSemaphore other = PosixSemaphore.open(name)) {
                assertEquals(1, other.value());
                other.acquire();
            }
            assertEquals(0, sem.value());
            var exists = assertThrows(FileAlreadyExistsException.class, () -> PosixSemaphore.create(name, 0));
            assertEquals("sem_open(" + name + ") failed: EEXIST (File exists)", exists.getMessage());
            assertTrue(sem.unlink());
            var missing = assertThrows(NoSuchFileException.class, () -> PosixSemaphore.open(name));
            assertEquals("sem_open(" + name + ") failed: ENOENT (No such file or directory): no semaphore has this "
                    + "name", missing.getMessage());
        }
    }

    @Test
    void closingWakesAPosixSemaphoreWaiter() throws Exception {
        PosixSemaphore sem = PosixSemaphore.create(name, 0);
        var waiter = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                sem.acquire();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertThrows(java.util.concurrent.TimeoutException.class,
                () -> waiter.get(300, java.util.concurrent.TimeUnit.MILLISECONDS));
        sem.close();
        var e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiter.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof java.nio.channels.AsynchronousCloseException, e.toString());
    }

    @Test
    void sysVOperationsAreAtomicAllOrNone() throws Exception {
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1, 0, 5);
        try {
            assertEquals(3, set.size());
            assertArrayEquals(new int[] {1, 0, 5}, set.values());
            assertFalse(set.tryOperate(SemOp.add(0, -1), SemOp.add(1, -1)), "semaphore 1 is 0: neither may happen");
            assertArrayEquals(new int[] {1, 0, 5}, set.values());
            assertTrue(set.tryOperate(SemOp.add(0, -1), SemOp.add(2, -3)));
            assertArrayEquals(new int[] {0, 0, 2}, set.values());
            assertFalse(set.operate(Duration.ofMillis(50), SemOp.acquire(0)));
            assertTrue(set.tryOperate(SemOp.waitForZero(1)));
            set.setValue(1, 9);
            assertEquals(9, set.value(1));
            assertEquals(Spawn.currentPid(), set.lastPid(2));
            assertEquals(0, set.waitingToTake(0));
            assertEquals(0, set.waitingForZero(0));
            assertEquals(set.id(), SysVSemaphoreSet.ofId(set.id()).id());
        } finally {
            set.remove();
        }
        assertThrows(SemaphoreRemovedException.class, () -> set.tryOperate(SemOp.acquire(0)));
    }

    @Test
    void futexWaitsTimeOutAndSeeChangedValues() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            var word = arena.allocate(8, 8);
            assertEquals(Futex.Wake.TIMED_OUT, Futex.await(word, 0, 0, Duration.ofMillis(30)));
            assertEquals(Futex.Wake.VALUE_CHANGED, Futex.await(word, 0, 1, Duration.ofSeconds(5)));
            assertEquals(0, Futex.wake(word, 0, 1));
            assertEquals("a futex word must be 4-byte aligned: offset 2 is at address 0x"
                    + Long.toHexString(word.address() + 2), assertThrows(IllegalArgumentException.class,
                            () -> Futex.wake(word, 2, 1)).getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> Futex.wake(word, 8, 1));
        }
    }

    @Test
    void robustMutexExcludesTellsTheOwnerAndRefusesReentry() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            RobustMutex mutex = RobustMutex.initialize(shm.segment(), 0);
            assertEquals(LockOutcome.ACQUIRED, mutex.lock());
            assertEquals(Spawn.currentPid(), mutex.ownerPid());
            assertEquals("robust mutex at offset 0 is already held by this thread: it is not reentrant",
                    assertThrows(IllegalStateException.class, mutex::lock).getMessage());
            var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return mutex.tryLock();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(LockOutcome.NOT_ACQUIRED, other.get());
            mutex.unlock();
            assertEquals("robust mutex at offset 0 is not locked",
                    assertThrows(IllegalMonitorStateException.class, mutex::unlock).getMessage());
            assertEquals(0, mutex.ownerPid());
            assertThrows(IllegalArgumentException.class, () -> RobustMutex.attach(shm.segment(), 4));
        }
    }
}
