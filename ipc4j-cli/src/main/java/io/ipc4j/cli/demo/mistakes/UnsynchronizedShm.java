package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.RobustMutex;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** 4. Processes incrementing a shared counter with no synchronisation lose updates. */
final class UnsynchronizedShm implements Mistake {
    static final int PROCESSES = 4;
    static final int INCREMENTS = 100_000;
    static final long GATE = 16;
    static final long COUNTER = 64;
    /** How often an increment yields between its read and its write (in every mode: the right ones lose nothing). */
    static final int YIELD_EVERY = 64;

    @Override
    public String name() {
        return "shared-memory";
    }

    @Override
    public String title() {
        return "Shared memory without synchronisation";
    }

    @Override
    public String explanation() {
        return "Each process reads the counter, adds one and writes it back. When two do that at once, one "
                + "write overwrites the other and an increment is lost. " + PROCESSES + " processes add "
                + INCREMENTS + " each; the total should be " + PROCESSES * INCREMENTS + ". Every " + YIELD_EVERY
                + "th increment yields the CPU between its read and its write, as a busy machine's scheduler "
                + "would now and then, so that the loss shows on one CPU as on many.";
    }

    @Override
    public Outcome run() throws IOException {
        Outcome outcome = Outcome.of();
        long expected = (long) PROCESSES * INCREMENTS;
        long plain = count("plain");
        outcome.wrong().put("total", plain);
        outcome.wrong().put("lost updates", expected - plain);
        long semaphore = count("semaphore");
        outcome.right().put("total with a POSIX semaphore", semaphore);
        long locked = count("robust-mutex");
        outcome.right().put("total with a robust mutex", locked);
        long atomic = count("atomic");
        outcome.right().put("total with an atomic add", atomic);
        outcome.right().put("lost updates", (expected - semaphore) + (expected - locked) + (expected - atomic));
        return outcome;
    }

    private static long count(String mode) throws IOException {
        String name = "/ipc4j-mistake-4-" + Spawn.currentPid();
        try (SharedMemory shm = SharedMemory.create(name, 4096); PosixSemaphore sem = PosixSemaphore.create(name, 1)) {
            RobustMutex.initialize(shm.segment(), 0);
            if (sem.value() != 1) {
                throw new IOException(sem + " should start at 1");
            }
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int i = 0; i < PROCESSES; i++) {
                    children.add(Spawn.java(Adder.class.getName(), name, mode).start());
                }
                for (ChildProcess child : children) {
                    if (!child.waitFor(Duration.ofSeconds(120)).succeeded()) {
                        throw new IOException("an adding process failed");
                    }
                }
            } finally {
                children.forEach(ChildProcess::close);
            }
            return shm.buffer().getLongVolatile(COUNTER);
        } finally {
            SharedMemory.unlink(name);
            PosixSemaphore.unlink(name);
        }
    }

    /** Read, add one, write: volatile accesses, so that the JIT cannot fold the loop into one addition. */
    private static void increment(SharedBuffer b, int i) {
        long value = b.getLongVolatile(COUNTER);
        if (i % YIELD_EVERY == 0) {
            Thread.yield();
        }
        b.putLongVolatile(COUNTER, value + 1);
    }

    /** An adding process: args are the shared memory name and the mode (plain, semaphore, robust-mutex, atomic). */
    public static final class Adder {
        public static void main(String[] args) throws IOException {
            try (SharedMemory shm = SharedMemory.open(args[0]); PosixSemaphore sem = PosixSemaphore.open(args[0])) {
                SharedBuffer b = shm.buffer();
                RobustMutex mutex = RobustMutex.attach(shm.segment(), 0);
                b.getAndAddInt(GATE, 1);
                while (b.getIntAcquire(GATE) < PROCESSES) {
                    Thread.onSpinWait(); // start together, so that the processes really overlap
                }
                for (int i = 0; i < INCREMENTS; i++) {
                    switch (args[1]) {
                        case "plain" -> increment(b, i);
                        case "atomic" -> b.getAndAddLong(COUNTER, 1);
                        case "semaphore" -> {
                            sem.acquire();
                            increment(b, i);
                            sem.release();
                        }
                        default -> {
                            mutex.lock();
                            increment(b, i);
                            mutex.unlock();
                        }
                    }
                }
            }
        }
    }
}
