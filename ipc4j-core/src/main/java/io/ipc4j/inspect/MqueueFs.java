package io.ipc4j.inspect;

import io.ipc4j.internal.posix.ProcessCalls;

import java.nio.file.Files;
import java.nio.file.Path;

/** The mqueue file system at /dev/mqueue: POSIX queues are listed only where it is mounted. */
public final class MqueueFs {
    private MqueueFs() {
    }

    /**
     * Whether /dev/mqueue is mounted.
     *
     * @return whether /dev/mqueue is mounted
     */
    public static boolean mounted() {
        return ProcFs.read(Path.of("/proc/self/mounts")).orElse("").lines()
                .map(l -> l.split(" ")).anyMatch(f -> f.length > 2 && f[1].equals("/dev/mqueue") && f[2].equals("mqueue"));
    }

    /**
     * Mounts it if it is not and this process may (root); returns whether it is mounted now.
     *
     * @return whether the mqueue file system is mounted now
     */
    public static boolean mountIfPossible() {
        if (mounted()) {
            return true;
        }
        try {
            Files.createDirectories(Path.of("/dev/mqueue"));
            return ProcessCalls.mount("none", "/dev/mqueue", "mqueue") == 0 && mounted();
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
