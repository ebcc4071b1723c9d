package io.ipc4j.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * /dev/shm files by inode. Mappings must be matched by inode, not by the path /proc shows: glibc's sem_open
 * creates a semaphore under a temporary name, maps it, then links it to the real name, so its creator's
 * mapping shows "/dev/shm/sem.XXXXXX (deleted)".
 */
final class DevShm {
    private DevShm() {
    }

    /** inode -> file name in /dev/shm. */
    static Map<Long, String> namesByInode() {
        Map<Long, String> names = new HashMap<>();
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            for (Path f : files.toList()) {
                try {
                    names.put((Long) Files.getAttribute(f, "unix:ino"), f.getFileName().toString());
                } catch (IOException | RuntimeException e) {
                    // removed meanwhile
                }
            }
        } catch (IOException e) {
            return names;
        }
        return names;
    }
}
