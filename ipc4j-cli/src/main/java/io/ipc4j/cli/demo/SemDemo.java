package io.ipc4j.cli.demo;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;
import io.ipc4j.cli.Ranges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The textbook's semaphore example across real processes: several worker processes, a counting semaphore
 * of 2 (System V, with SEM_UNDO so a crashed worker gives its place back), and a shared counter that shows
 * how many are inside at once.
 */
@Command(name = "sem", mixinStandardHelpOptions = true,
        description = "Worker processes share a counting semaphore: at most --slots inside at once.")
public final class SemDemo implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long INSIDE = 0;
    private static final long MOST = 8;

    @Option(names = "--workers", converter = Ranges.Positive.class, defaultValue = "5", description = "How many worker processes (default 5).")
    private int workers;
    @Option(names = "--slots", converter = Ranges.Positive.class, defaultValue = "2", description = "How many may be inside at once (default 2).")
    private int slots;

    @Override
    public Integer call() throws IOException {
        String name = "/ipc4j-demo-sem-" + Spawn.currentPid();
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().add("unlink " + name, () -> SharedMemory.unlink(name));
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, slots);
        cleanup.add("remove semaphore set " + set.id(), set::remove);
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            Say.parent("semaphore set %d with value %d; %d workers start", set.id(), slots, workers);
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int w = 1; w <= workers; w++) {
                    ChildProcess worker = Spawn.java(Worker.class.getName(), String.valueOf(w), name,
                            String.valueOf(set.id())).start();
                    cleanup.closeOnExit("stop worker " + worker.pid(), worker);
                    children.add(worker);
                }
                boolean ok = true;
                for (ChildProcess child : children) {
                    ok &= child.waitFor(TIMEOUT).succeeded();
                }
                long most = shm.buffer().getLongVolatile(MOST);
                Say.parent("all %d workers done; at most %d were inside at once (the semaphore allows %d)", workers,
                        most, slots);
                return ok && most <= slots ? 0 : 1;
            } finally {
                children.forEach(ChildProcess::close);
            }
        } finally {
            cleanup.runNow();
        }
    }

    /** A worker process: args are its number, the shared memory name and the semaphore set id. */
    public static final class Worker {
        public static void main(String[] args) throws Exception {
            SysVSemaphoreSet set = SysVSemaphoreSet.ofId(Integer.parseInt(args[2]));
            try (SharedMemory shm = SharedMemory.open(args[1])) {
                SharedBuffer b = shm.buffer();
                Say.child("worker %s waiting", args[0]);
                set.operate(SemOp.acquire(0));
                long inside = b.getAndAddLong(INSIDE, 1) + 1;
                recordMost(b, inside);
                Say.child("worker %s inside (%d inside now)", args[0], inside);
                Thread.sleep(300);
                b.getAndAddLong(INSIDE, -1);
                Say.child("worker %s leaving", args[0]);
                set.operate(SemOp.release(0));
            }
        }

        private static void recordMost(SharedBuffer b, long inside) {
            long most;
            do {
                most = b.getLongVolatile(MOST);
            } while (inside > most && !b.compareAndSetLong(MOST, most, inside));
        }
    }
}
