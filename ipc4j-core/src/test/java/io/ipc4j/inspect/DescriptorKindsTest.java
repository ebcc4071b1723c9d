package io.ipc4j.inspect;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.CPrograms;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #22 (part): a C process holds one descriptor of each anonymous-inode kind, a sealed memfd and a deleted
 * file; inspect classifies each and says what it holds, with the open flags.
 */
class DescriptorKindsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void eachAnonymousInodeKindIsRecognisedWithWhatItHolds() throws Exception {
        Path program = CPrograms.compile("fd_kinds");
        try (Pipe out = Pipe.open();
             ChildProcess child = Spawn.command(program.toString()).stdout(out.writer()).start()) {
            out.writer().close();
            String line = new BufferedReader(new InputStreamReader(out.reader().inputStream(ChildJvm.DEFAULT_TIMEOUT),
                    StandardCharsets.UTF_8)).readLine();
            String[] f = line.split(" ");
            ProcessReport report = ProcessInspector.inspect(child.pid());
            assertNull(report.problem());
            Map<Integer, FdInfo> byFd = report.descriptors().stream()
                    .collect(Collectors.toMap(FdInfo::fd, Function.identity()));
            check(byFd, f[1], FdKind.EVENTFD, "eventfd, counter 5", "read-write nonblock cloexec");
            check(byFd, f[2], FdKind.SIGNALFD, "signalfd for SIGUSR1, SIGTERM", "read-write");
            FdInfo timer = byFd.get(Integer.parseInt(f[3]));
            assertEquals(FdKind.TIMERFD, timer.kind());
            assertTrue(timer.detail().matches("timerfd CLOCK_MONOTONIC, next in 5\\d\\d\\.\\d{3} s, every 2\\.000 s,"
                    + " 0 expirations unread"), timer.detail());
            check(byFd, f[4], FdKind.EPOLL, "epoll watching fd " + f[1] + " (IN|ERR|HUP)", "read-write");
            check(byFd, f[5], FdKind.INOTIFY, "inotify, 1 watch", "read");
            check(byFd, f[6], FdKind.PIDFD, "pidfd of pid " + child.pid(), "read-write cloexec");
            check(byFd, f[7], FdKind.MEMFD, "memfd payload, 4096 bytes, seals SHRINK|GROW", "read-write");
            if (!f[8].equals("-1")) { // io_uring may be disabled (kernel.io_uring_disabled)
                check(byFd, f[8], FdKind.IO_URING, "io_uring, 4 submission and 8 completion entries, 0 submissions"
                        + " and 0 completions pending", "read-write cloexec");
            }
            check(byFd, f[9], FdKind.DELETED_FILE, "deleted file " + f[10] + " (deleted: its name is gone, its data"
                    + " lives while a descriptor is open)", "read-write");
            assertEquals(0, byFd.get(Integer.parseInt(f[9])).position());
            agreesWithLsfd(child.pid(), report.descriptors());
            List<FdInfo> stdout = report.descriptors().stream().filter(d -> d.fd() == 1).toList();
            assertEquals(FdKind.PIPE, stdout.getFirst().kind());
            assertTrue(stdout.getFirst().detail().endsWith("write end"), stdout.toString());
        }
    }

    /** util-linux's lsfd reads the same fdinfo: its flags and positions must be ours, descriptor by descriptor. */
    private static void agreesWithLsfd(int pid, List<FdInfo> ours) throws Exception {
        Path lsfd = Path.of("/usr/bin/lsfd");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(lsfd), "no util-linux lsfd");
        Process p = new ProcessBuilder(lsfd.toString(), "-p", String.valueOf(pid), "-n", "-r", "-o",
                "ASSOC,POS,FLAGS").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        Map<Integer, FdInfo> byFd = ours.stream().collect(Collectors.toMap(FdInfo::fd, Function.identity()));
        int compared = 0;
        for (String line : output.lines().toList()) {
            String[] f = line.split(" ", -1);
            if (!f[0].matches("\\d+") || !byFd.containsKey(Integer.parseInt(f[0]))) {
                continue; // exe, cwd, mem...: not descriptors
            }
            FdInfo mine = byFd.get(Integer.parseInt(f[0]));
            String theirs = (f.length > 2 ? f[2] : "").replace("rdwr", "read-write").replace("wronly", "write")
                    .replace(",", " ");
            String expected = theirs.startsWith("read-write") || theirs.startsWith("write") ? theirs
                    : ("read " + theirs).strip();
            assertEquals(expected, mine.flags(), "fd " + f[0] + ": lsfd says " + line);
            assertEquals(Long.parseLong(f[1]), mine.position(), "fd " + f[0] + ": lsfd says " + line);
            compared++;
        }
        assertTrue(compared >= 10, "compared " + compared + " descriptors with lsfd:\n" + output);
    }

    private static void check(Map<Integer, FdInfo> byFd, String fd, FdKind kind, String detail, String flags) {
        FdInfo info = byFd.get(Integer.parseInt(fd));
        assertEquals(kind, info.kind(), info.toString());
        assertEquals(detail, info.detail());
        assertEquals(flags, info.flags(), info.toString());
    }
}
