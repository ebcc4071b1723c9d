package io.ipc4j.sync;

import io.ipc4j.shm.SharedMemory;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import io.ipc4j.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ipc4j's robust mutex shared with C processes (peers/c/ipc4j_channel.h's ipc4j_mutex_*): mutual exclusion
 * between Java and C, and a holder killed inside the lock, C or Java, taken over by the other language.
 */
class RobustMutexPeersTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int COUNTS = 100_000;

    @Test
    void javaAndTwoCProcessesExcludeEachOther() throws Exception {
        String name = "/ipc4j-mutex-" + ProcessHandle.current().pid() + "-1";
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            try {
                MemorySegment memory = shm.segment();
                RobustMutex lock = RobustMutex.initialize(memory, 0);
                try (Peers one = Peers.c("mutex_peer", "count", name, String.valueOf(COUNTS));
                     Peers two = Peers.c("mutex_peer", "count", name, String.valueOf(COUNTS))) {
                    for (int i = 0; i < COUNTS; i++) {
                        assertEquals(LockOutcome.ACQUIRED, lock.lock(LIMIT));
                        memory.set(ValueLayout.JAVA_LONG, 16, memory.get(ValueLayout.JAVA_LONG, 16) + 1);
                        lock.unlock();
                    }
                    assertEquals("done", one.nextLine(LIMIT));
                    assertEquals("done", two.nextLine(LIMIT));
                    one.awaitSuccess(LIMIT);
                    two.awaitSuccess(LIMIT);
                }
                assertEquals(3L * COUNTS, memory.get(ValueLayout.JAVA_LONG, 16), "increments lost: no exclusion");
                assertEquals(0, lock.ownerPid());
                assertEquals(0, lock.recoveries());
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void aCHolderKilledInsideTheLockIsTakenOverByJava() throws Exception {
        String name = "/ipc4j-mutex-" + ProcessHandle.current().pid() + "-2";
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            try {
                RobustMutex lock = RobustMutex.initialize(shm.segment(), 0);
                try (Peers holder = Peers.c("mutex_peer", "hold", name)) {
                    assertEquals("locked", holder.nextLine(LIMIT));
                    assertEquals(holder.pid(), lock.ownerPid());
                    assertEquals(LockOutcome.NOT_ACQUIRED, lock.tryLock());
                } // SIGKILL inside the lock
                assertEquals(LockOutcome.PREVIOUS_OWNER_DIED, lock.lock(LIMIT));
                assertEquals(1, lock.recoveries());
                lock.unlock();
            } finally {
                shm.unlink();
            }
        }
    }

    @Test
    void aJavaHolderKilledInsideTheLockIsTakenOverByC() throws Exception {
        String name = "/ipc4j-mutex-" + ProcessHandle.current().pid() + "-3";
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            try {
                RobustMutex lock = RobustMutex.initialize(shm.segment(), 0);
                try (ChildJvm.Running holder = ChildJvm.of(HoldAndWait.class, name).start()) {
                    holder.awaitLine(line -> line.equals("locked"), LIMIT);
                    assertEquals(holder.pid(), lock.ownerPid());
                    holder.process().kill();
                    holder.process().waitFor(LIMIT);
                }
                try (Peers taker = Peers.c("mutex_peer", "take", name)) {
                    assertEquals("previous owner died, recoveries 1", taker.nextLine(LIMIT));
                    taker.awaitSuccess(LIMIT);
                }
                assertEquals(0, lock.ownerPid());
            } finally {
                shm.unlink();
            }
        }
    }

    /** Child: locks the mutex at offset 0 of shared memory args[0], says so, and waits to be killed. */
    public static final class HoldAndWait {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[0])) {
                RobustMutex.attach(shm.segment(), 0).lock(Duration.ofSeconds(30));
                System.out.println("locked");
                Thread.sleep(Duration.ofMinutes(5));
            }
        }
    }
}
