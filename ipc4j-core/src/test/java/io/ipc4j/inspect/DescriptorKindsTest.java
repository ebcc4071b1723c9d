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
            List<FdInfo> stdout = report.descriptors().stream().filter(d -> d.fd() == 1).toList();
            assertEquals(FdKind.PIPE, stdout.getFirst().kind());
            assertTrue(stdout.getFirst().detail().endsWith("write end"), stdout.toString());
        }
    }

    private static void check(Map<Integer, FdInfo> byFd, String fd, FdKind kind, String detail, String flags) {
        FdInfo info = byFd.get(Integer.parseInt(fd));
        assertEquals(kind, info.kind(), info.toString());
        assertEquals(detail, info.detail());
        assertEquals(flags, info.flags(), info.toString());
    }
}
