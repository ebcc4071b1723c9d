package io.ipc4j.inspect;

import io.ipc4j.internal.proc.Sysctl;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The machine's IPC limits and where each is set: the first thing to read when IPC fails in a container. */
public final class IpcLimits {
    /**
     * One limit.
     *
     * @param name  its sysctl or rlimit name.
     * @param value its value now, or "unreadable".
     * @param what  what it bounds.
     * @param where where it is set.
     */
    public record Limit(String name, String value, String what, String where) {
    }

    private IpcLimits() {
    }

    /**
     * Every limit, read now.
     *
     * @return every limit, read now
     */
    public static List<Limit> read() {
        List<Limit> limits = new ArrayList<>();
        sysctl(limits, "fs.mqueue.msg_max", "most messages a POSIX queue may hold (mq_maxmsg)");
        sysctl(limits, "fs.mqueue.msgsize_max", "largest POSIX message (mq_msgsize)");
        sysctl(limits, "fs.mqueue.msg_default", "mq_maxmsg when a queue is created without attributes");
        sysctl(limits, "fs.mqueue.msgsize_default", "mq_msgsize when a queue is created without attributes");
        sysctl(limits, "fs.mqueue.queues_max", "POSIX queues on the machine");
        sysctl(limits, "kernel.msgmax", "largest System V message");
        sysctl(limits, "kernel.msgmnb", "a new System V queue's capacity in bytes");
        sysctl(limits, "kernel.msgmni", "System V queues on the machine");
        sysctl(limits, "kernel.sem", "System V semaphores: SEMMSL (per set) SEMMNS (total) SEMOPM (per semop) "
                + "SEMMNI (sets)");
        sysctl(limits, "kernel.shmmax", "largest System V segment, bytes");
        sysctl(limits, "kernel.shmall", "System V shared memory on the machine, pages");
        sysctl(limits, "kernel.shmmni", "System V segments on the machine");
        sysctl(limits, "fs.pipe-max-size", "largest pipe capacity an unprivileged process may set");
        limits.add(new Limit("RLIMIT_MSGQUEUE", rlimit("Max msgqueue size"),
                "bytes this user's POSIX queues may hold", "ulimit -q; /etc/security/limits.conf"));
        limits.add(new Limit("RLIMIT_NOFILE", rlimit("Max open files"), "descriptors per process (queues count)",
                "ulimit -n; /etc/security/limits.conf"));
        limits.add(new Limit("/dev/shm", shmSpace(), "room for POSIX shared memory and semaphores (tmpfs)",
                "mount -o remount,size=N /dev/shm; a container's --shm-size"));
        limits.add(new Limit("/dev/mqueue", MqueueFs.mounted() ? "mounted" : "not mounted",
                "whether POSIX queues are visible as files (they work either way)", "mount -t mqueue none /dev/mqueue"));
        return limits;
    }

    private static void sysctl(List<Limit> into, String name, String what) {
        String path = "/proc/sys/" + name.replace('.', '/');
        into.add(new Limit(name, Sysctl.read(path).map(v -> v.replaceAll("\\s+", " ")).orElse("unreadable"), what,
                path + "; sysctl -w " + name + "=N (root; CAP_SYS_RESOURCE for fs.mqueue)"));
    }

    private static String rlimit(String label) {
        return ProcFs.read(Path.of("/proc/self/limits")).orElse("").lines().filter(l -> l.startsWith(label))
                .findFirst().map(l -> l.substring(label.length()).strip().split("\\s+")).map(f -> f[0] + " (hard " + f[1]
                        + ")").orElse("unreadable");
    }

    private static String shmSpace() {
        try {
            FileStore store = Files.getFileStore(Path.of("/dev/shm"));
            return (store.getTotalSpace() >> 20) + " MiB, " + (store.getUsableSpace() >> 20) + " MiB free";
        } catch (IOException e) {
            return "not mounted";
        }
    }
}
