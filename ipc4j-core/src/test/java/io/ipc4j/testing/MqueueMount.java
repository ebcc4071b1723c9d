package io.ipc4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * POSIX queues are listed only where the mqueue file system is mounted (at /dev/mqueue), which many machines
 * do not do. The leak check mounts it once when it may (as root), so a leaked queue cannot hide.
 */
final class MqueueMount {
    private static boolean tried;

    private MqueueMount() {
    }

    static synchronized void ensure() {
        if (tried) {
            return;
        }
        tried = true;
        try {
            if (isMounted() || !"root".equals(System.getProperty("user.name"))) {
                return;
            }
            Files.createDirectories(Path.of("/dev/mqueue"));
            Process mount = new ProcessBuilder("mount", "-t", "mqueue", "none", "/dev/mqueue")
                    .redirectErrorStream(true).start();
            if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0 || !isMounted()) {
                System.err.println("[IpcLeakCheck] could not mount /dev/mqueue: leaked POSIX queues go unseen: "
                        + new String(mount.getInputStream().readAllBytes()).strip());
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("[IpcLeakCheck] could not mount /dev/mqueue: " + e);
        }
    }

    static boolean isMounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(line -> line.split(" ")[1].equals("/dev/mqueue") && line.split(" ")[2].equals("mqueue"));
    }
}
