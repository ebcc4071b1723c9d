package io.ipc4j.inspect;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A memfd's name, size and seals. The seals are not in fdinfo: the memfd is opened again read-only through
 * /proc/PID/fd/FD (allowed to its owner and root, as reading the link is) and asked with F_GET_SEALS.
 */
final class Memfds {
    private static final String[] SEALS = {"SEAL", "SHRINK", "GROW", "WRITE", "FUTURE_WRITE"};

    private Memfds() {
    }

    static String describe(int pid, int fd, String target) {
        String name = target.substring("/memfd:".length()).replace(" (deleted)", "");
        Path link = Path.of("/proc/" + pid + "/fd/" + fd);
        String size;
        try {
            size = Files.size(link) + " bytes";
        } catch (IOException | RuntimeException e) {
            size = "size unknown";
        }
        return "memfd " + name + ", " + size + ", " + seals(link);
    }

    private static String seals(Path link) {
        int fd = FileCalls.open(link.toString(), FileCalls.O_RDONLY | FileCalls.O_CLOEXEC, 0);
        if (fd < 0) {
            return "seals unknown (it cannot be opened here)";
        }
        try {
            int seals = FileCalls.fcntl(fd, FileCalls.F_GET_SEALS, 0);
            if (seals < 0) {
                return "no sealing (created without MFD_ALLOW_SEALING)";
            }
            List<String> set = new ArrayList<>();
            for (int bit = 0; bit < SEALS.length; bit++) {
                if ((seals & (1 << bit)) != 0) {
                    set.add(SEALS[bit]);
                }
            }
            return set.isEmpty() ? "no seals" : "seals " + String.join("|", set);
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }
}
