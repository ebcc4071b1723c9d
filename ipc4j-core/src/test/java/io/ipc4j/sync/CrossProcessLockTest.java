package io.ipc4j.sync;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Four processes, one counter: each lock must give the exact total, and survive a killed holder. */
class CrossProcessLockTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final int PROCESSES = 4;
    private static final int ITERATIONS = 100_000;
    private final String name = "/ipc4j-lock-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        SharedMemory.unlink(name);
        PosixSemaphore.unlink(name);
    }

    private void countWith(String kind, String semaphore, SharedMemory shm) throws Exception {
        List<ChildJvm.Running> children = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                children.add(ChildJvm.of(SyncChildren.Incrementer.class, kind, name, semaphore, "" + ITERATIONS,
                        "" + PROCESSES).fullJit().start());
            }
            for (ChildJvm.Running child : children) {
                ChildJvm.Result result = child.finish(LIMIT);
                assertEquals("done " + ITERATIONS + " recovered 0", result.stdout().strip(), result.describe());
            }
        } finally {
            children.forEach(ChildJvm.Running::close);
        }
        assertEquals((long) PROCESSES * ITERATIONS, shm.buffer().getLongVolatile(SyncChildren.COUNTER), kind);
    }

    @Test
    void posixSemaphoreGivesTheExactTotal() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096); PosixSemaphore sem = PosixSemaphore.create(name, 1)) {
            countWith("posix-sem", name, shm);
            assertEquals(1, sem.value());
        }
    }

    @Test
    void sysVSemaphoreGivesTheExactTotal() throws Exception {
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1);
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            countWith("sysv-sem", "" + set.id(), shm);
            assertEquals(1, set.value(0));
        } finally {
            set.remove();
        }
    }

    @Test
    void robustMutexGivesTheExactTotal() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            RobustMutex mutex = RobustMutex.initialize(shm.segment(), SyncChildren.MUTEX);
            countWith("robust", "-", shm);
            assertEquals(0, mutex.ownerPid());
            assertEquals(0, mutex.recoveries());
        }
    }

    @Test
    void aKilledSysVHolderIsUndoneByTheKernel() throws Exception {
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1);
        try (SharedMemory shm = SharedMemory.create(name, 4096);
             ChildJvm.Running holder = ChildJvm.of(SyncChildren.Holder.class, "sysv-sem", name, "" + set.id())
                     .start()) {
            holder.awaitLine("holding"::equals, LIMIT);
            assertEquals(-1, shm.buffer().getLong(SyncChildren.COUNTER));
            assertEquals(0, set.value(0));
            assertTrue(!set.tryOperate(SemOp.acquire(0)), "the holder still holds it");
            holder.process().kill();
            holder.process().waitFor(LIMIT);
            assertTrue(set.operate(Duration.ofSeconds(30), SemOp.acquire(0)), "SEM_UNDO gave the unit back");
            set.operate(SemOp.release(0));
        } finally {
            set.remove();
        }
    }

    @Test
    void aKilledRobustMutexHolderIsTakenOverAndReported() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            RobustMutex mutex = RobustMutex.initialize(shm.segment(), SyncChildren.MUTEX);
            try (ChildJvm.Running holder = ChildJvm.of(SyncChildren.Holder.class, "robust", name, "-").start()) {
                holder.awaitLine("holding"::equals, LIMIT);
                assertEquals(holder.pid(), mutex.ownerPid());
                assertEquals(LockOutcome.NOT_ACQUIRED, mutex.tryLock());
                holder.process().kill();
                assertEquals(LockOutcome.PREVIOUS_OWNER_DIED, mutex.lock(Duration.ofSeconds(30)));
                assertEquals(-1, shm.buffer().getLong(SyncChildren.COUNTER), "the dead owner's half-done update");
                assertEquals(1, mutex.recoveries());
                mutex.unlock();
                assertEquals(LockOutcome.ACQUIRED, mutex.lock(Duration.ofSeconds(1)));
                mutex.unlock();
            }
        }
    }

    @Test
    void aWaiterLearnsThatItsSemaphoreSetWasRemoved() throws Exception {
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 0);
        try (ChildJvm.Running waiter = ChildJvm.of(SyncChildren.SemWaiter.class, "" + set.id()).start()) {
            waiter.awaitLine("waiting"::equals, LIMIT);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (set.waitingToTake(0) == 0) {
                assertTrue(System.nanoTime() < deadline, "the child never waited");
                Thread.onSpinWait();
            }
            set.remove();
            String last = waiter.finish(LIMIT).stdout().lines().toList().getLast();
            assertEquals("removed: semtimedop(System V semaphore set id " + set.id() + ") failed: EIDRM (Identifier "
                    + "removed): the semaphore set was removed (IPC_RMID)", last);
        }
    }

    /**
     * The parent wakes the word until the kernel reports one waiter woken (a wake before the child waits wakes
     * no one and changes nothing); the child says its wait ended WOKEN, not TIMED_OUT (its timeout is 30 s) and
     * not VALUE_CHANGED. A wake-up that reaches no waiter (a wrong address, a private futex) fails both.
     */
    @Test
    void aFutexWakesAWaiterInAnotherProcess() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, 4096);
             ChildJvm.Running waiter = ChildJvm.of(SyncChildren.FutexWaiter.class, name).start()) {
            waiter.awaitLine("waiting"::equals, LIMIT);
            long deadline = System.nanoTime() + LIMIT.toNanos();
            int woken;
            while ((woken = Futex.wake(shm.segment(), 0, Integer.MAX_VALUE)) == 0) {
                assertTrue(System.nanoTime() < deadline, "no process ever waited on the word");
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(1, woken, "the kernel woke exactly the one waiter");
            assertEquals("WOKEN value=0", waiter.finish(LIMIT).stdout().lines().toList().getLast());
        }
    }
}
