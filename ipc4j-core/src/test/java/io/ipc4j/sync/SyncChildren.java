package io.ipc4j.sync;


import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;

import java.time.Duration;

/**
 * Child-process mains for the synchronisation tests. Shared memory layout: a robust mutex at 0, a "start"
 * gate at 32, the counter (a long, updated with a plain read and write: only the lock protects it) at 64.
 */
final class SyncChildren {
    static final long MUTEX = 0;
    static final long GATE = 32;
    static final long COUNTER = 64;

    private SyncChildren() {
    }

    /** A lock to test: acquire returns true if the previous owner died. */
    interface Lock {
        boolean acquire() throws Exception;

        void release() throws Exception;
    }

    static Lock lock(String kind, SharedMemory shm, String semaphore) throws Exception {
        return switch (kind) {
            case "posix-sem" -> {
                PosixSemaphore sem = PosixSemaphore.open(semaphore);
                yield new Lock() {
                    public boolean acquire() throws Exception {
                        sem.acquire();
                        return false;
                    }

                    public void release() throws Exception {
                        sem.release();
                    }
                };
            }
            case "sysv-sem" -> {
                SysVSemaphoreSet set = SysVSemaphoreSet.ofId(Integer.parseInt(semaphore));
                yield new Lock() {
                    public boolean acquire() throws Exception {
                        set.operate(SemOp.acquire(0));
                        return false;
                    }

                    public void release() throws Exception {
                        set.operate(SemOp.release(0));
                    }
                };
            }
            case "robust" -> {
                RobustMutex mutex = RobustMutex.attach(shm.segment(), MUTEX);
                yield new Lock() {
                    public boolean acquire() throws Exception {
                        return mutex.lock() == LockOutcome.PREVIOUS_OWNER_DIED;
                    }

                    public void release() throws Exception {
                        mutex.unlock();
                    }
                };
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** args: kind, shm name, semaphore name or id, iterations, processes to wait for at the gate. */
    static final class Incrementer {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[1])) {
                Lock lock = lock(args[0], shm, args[2]);
                SharedBuffer b = shm.buffer();
                int iterations = Integer.parseInt(args[3]);
                b.getAndAddInt(GATE, 1);
                while (b.getIntAcquire(GATE) < Integer.parseInt(args[4])) {
                    Thread.onSpinWait(); // all start together, so the lock is really contended
                }
                int recovered = 0;
                for (int i = 0; i < iterations; i++) {
                    recovered += lock.acquire() ? 1 : 0;
                    b.putLong(COUNTER, b.getLong(COUNTER) + 1);
                    lock.release();
                }
                System.out.println("done " + iterations + " recovered " + recovered);
            }
        }
    }

    /** args: kind, shm name, semaphore name or id. Takes the lock, says "holding", and never lets go. */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[1])) {
                lock(args[0], shm, args[2]).acquire();
                shm.buffer().putLong(COUNTER, -1); // half-way through an update when it dies
                System.out.println("holding");
                Thread.sleep(Duration.ofMinutes(5));
            }
        }
    }

    /** args: shm name. Sleeps on the futex at 0 while it is 0, then prints the value. */
    static final class FutexWaiter {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.open(args[0])) {
                System.out.println("waiting");
                Futex.Wake how = Futex.await(shm.segment(), 0, 0, Duration.ofSeconds(30));
                System.out.println(how + " value=" + shm.buffer().getIntAcquire(0));
            }
        }
    }

    /** args: set id. Waits to take semaphore 0 and reports how the wait ended. */
    static final class SemWaiter {
        public static void main(String[] args) throws Exception {
            SysVSemaphoreSet set = SysVSemaphoreSet.ofId(Integer.parseInt(args[0]));
            System.out.println("waiting");
            try {
                set.operate(SemOp.acquire(0));
                System.out.println("acquired");
            } catch (SemaphoreRemovedException e) {
                System.out.println("removed: " + e.getMessage());
            }
        }
    }
}
