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
        long deadline = System.nanoTime() + limit.toNanos();
        String seen = "";
        while (System.nanoTime() - deadline < 0) {
            seen = sleepingIn(pid, tid);
            if (seen != null && wanted.matcher(seen).find()) {
                return seen;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("thread " + tid + " of pid " + pid + " never slept in /" + wchan + "/ within "
                + limit + ": last seen " + (seen == null ? "running" : "asleep in " + seen));
    }

    /** Whether thread {@code tid} of process {@code pid} sleeps now in a kernel function matching {@code wchan}. */
    public static boolean sleepsIn(long pid, long tid, String wchan) throws IOException {
        String seen = sleepingIn(pid, tid);
        return seen != null && Pattern.compile(wchan).matcher(seen).find();
    }

    /**
     * The kernel id of the thread of process {@code pid} named {@code name} (its comm: 15 characters at most).
     *
     * @throws AssertionError if there is none
     */
    public static long threadNamed(long pid, String name) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                    return Long.parseLong(task.getFileName().toString());
                }
            }
        }
        throw new AssertionError("no thread " + name + " in process " + pid);
    }

    /** The kernel function the thread sleeps in (state S), or null if it is not asleep. */
    private static String sleepingIn(long pid, long tid) throws IOException {
        Path task = Path.of("/proc/" + pid + "/task/" + tid);
        String wchan = Files.readString(task.resolve("wchan")).strip();
        String stat = Files.readString(task.resolve("stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2) == 'S' ? wchan : null;
    }
}
