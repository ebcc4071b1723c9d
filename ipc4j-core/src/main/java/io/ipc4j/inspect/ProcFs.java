package io.ipc4j.inspect;

import io.ipc4j.internal.proc.ProcessStart;
import io.ipc4j.internal.proc.Sysctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Small readers of /proc, tolerant of processes that vanish while being read. */
final class ProcFs {
    private ProcFs() {
    }

    /** Every pid in /proc now. */
    static List<Integer> pids() {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> pids.add(Integer.parseInt(n)));
        } catch (IOException e) {
            return pids;
        }
        return pids;
    }

    /** A file's whole text (works for /proc files that report size 0); empty if it cannot be read. */
    static Optional<String> read(Path path) {
        return Sysctl.readText(path.toString());
    }

    /** Lines of a /proc table after its header. */
    static List<String> tableRows(Path path) {
        return read(path).map(text -> text.lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).toList())
                .orElse(List.of());
    }

    /** Whether {@code pid} is a live process (not gone, not a zombie). */
    static boolean alive(int pid) {
        return pid > 0 && ProcessStart.alive(pid, 0);
    }

    /** Whether {@code pid} is a kernel thread (PF_KTHREAD in /proc/PID/stat): it holds no IPC object. */
    static boolean isKernelThread(int pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat")).orElse("");
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return false;
        }
        String[] f = stat.substring(close + 2).split(" "); // from field 3 (state) on
        return f.length > 6 && (Long.parseLong(f[6]) & 0x00200000L) != 0; // field 9, flags
    }

    /** The real uid of {@code pid}, or -1 if unknown. */
    static int uid(int pid) {
        for (String line : read(Path.of("/proc/" + pid + "/status")).orElse("").lines().toList()) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** The command line of {@code pid}, spaces for NULs; empty if unknown. */
    static String command(int pid) {
        return read(Path.of("/proc/" + pid + "/cmdline")).map(s -> s.replace('\0', ' ').strip()).orElse("");
    }

    /**
     * fd number -> link target for {@code pid}; throws AccessDeniedException if the directory or the links
     * cannot be read (another user's process; in some containers, pid 1 even for root).
     */
    static List<String[]> descriptors(int pid) throws IOException {
        List<String[]> fds = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : entries.toList()) {
                try {
                    fds.add(new String[] {p.getFileName().toString(), Files.readSymbolicLink(p).toString()});
                } catch (java.nio.file.AccessDeniedException denied) {
                    throw denied;
                } catch (IOException gone) {
                    // closed while we looked
                }
            }
        }
        fds.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
        return fds;
    }
}
