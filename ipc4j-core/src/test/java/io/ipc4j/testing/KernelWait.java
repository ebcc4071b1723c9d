package io.ipc4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * Shows that a thread of another process is blocked in the kernel, and where: its state in
 * /proc/PID/task/TID/stat is S (sleeping) and /proc/PID/task/TID/wchan names the kernel function it sleeps in
 * (futex_do_wait, poll_schedule_timeout, do_msgrcv...). A wake-up test that first sees its waiter there shows
 * that the wake-up, not luck, ended the wait.
 */
public final class KernelWait {
    private KernelWait() {
    }

    /** The calling thread's kernel id, as /proc/thread-self names it: for a child to print before it blocks. */
    public static long currentTid() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /**
     * Waits at most {@code limit} until thread {@code tid} of process {@code pid} sleeps in a kernel function
     * matching {@code wchan} (a regular expression, found anywhere in the name); returns that name.
     *
     * @throws AssertionError naming the state and function last seen, if it never did
     */
    public static String awaitSleepingIn(long pid, long tid, String wchan, Duration limit) throws IOException {
        Pattern wanted = Pattern.compile(wchan);
        Path task = Path.of("/proc/" + pid + "/task/" + tid);
        long deadline = System.nanoTime() + limit.toNanos();
        String seen = "";
        char state = '?';
        while (System.nanoTime() - deadline < 0) {
            seen = Files.readString(task.resolve("wchan")).strip();
            String stat = Files.readString(task.resolve("stat"));
            state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state == 'S' && wanted.matcher(seen).find()) {
                return seen;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("thread " + tid + " of pid " + pid + " never slept in /" + wchan + "/ within "
                + limit + ": last seen in state " + state + ", wchan " + seen);
    }
}
