package io.ipc4j.cli;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j inspect}, {@code ipcs}, {@code limits}, {@code clean} as a user runs them. */
class InspectCommandsTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static ChildJvm.Result ipc4j(String... args) throws Exception {
        return ChildJvm.of(Ipc4j.class, args).run(ChildJvm.DEFAULT_TIMEOUT);
    }

    @Test
    void inspectShowsThisProcesssQueueAndIpcsListsIt() throws Exception {
        String name = "/ipc4j-cli-inspect-" + Spawn.currentPid();
        try (PosixMessageQueue q = PosixMessageQueue.create(name).open()) {
            int fd = q.fd();
            ChildJvm.Result inspect = ipc4j("inspect", String.valueOf(Spawn.currentPid()));
            assertEquals(0, inspect.status().code(), inspect.describe());
            assertTrue(inspect.stdoutLines().stream().anyMatch(l -> l.matches("\\s+" + fd
                    + "\\s+POSIX_MESSAGE_QUEUE\\s+POSIX message queue " + name + " .*")), inspect.describe());
            ChildJvm.Result ipcs = ipc4j("ipcs");
            assertTrue(ipcs.stdoutLines().stream().anyMatch(l -> l.startsWith("POSIX message queue")
                    && l.contains(name) && l.endsWith("[" + Spawn.currentPid() + "]")), ipcs.describe());
            ChildJvm.Result json = ipc4j("ipcs", "--json");
            assertEquals(0, json.status().code(), json.describe());
            assertTrue(json.stdout().contains("\"id\": \"" + name + "\""), json.describe());
            assertTrue(json.stdout().contains("\"changed\": \"20"), json.describe());
        } finally {
            PosixMessageQueue.unlink(name);
        }
    }

    @Test
    void ipcsShowsEveryModeAsTheSameOctalStringInTablesAndJson() throws Exception {
        // #16.11: /proc/sysvipc's octal was parsed as decimal (0600 showed as 1130) and JSON said 600 for System V
        // and 384 for POSIX
        String name = "/ipc4j-cli-mode-" + Spawn.currentPid();
        SysVMessageQueue sysv = SysVMessageQueue.create(io.ipc4j.sysv.SysVKey.PRIVATE, 0600);
        try (PosixMessageQueue posix = PosixMessageQueue.create(name).mode(0640).open()) {
            assertEquals(name, posix.name());
            ChildJvm.Result table = ipc4j("ipcs");
            assertTrue(table.stdoutLines().stream().anyMatch(l -> l.matches("System V message queue\\s+" + sysv.id()
                    + "\\s+0x00000000\\s+0\\s+0600\\s.*")), table.describe());
            assertTrue(table.stdoutLines().stream().anyMatch(l -> l.matches("POSIX message queue\\s+" + name
                    + "\\s+-\\s+0\\s+0640\\s.*")), table.describe());
            String json = ipc4j("ipcs", "--json").stdout().replaceAll("\\s+", " ");
            assertTrue(json.contains("\"id\": \"" + sysv.id() + "\", \"key\": \"0x00000000\", \"ownerUid\": 0,"
                    + " \"mode\": \"0600\""), json);
            assertTrue(json.contains("\"id\": \"" + name + "\", \"ownerUid\": 0, \"mode\": \"0640\""), json);
        } finally {
            sysv.remove();
            PosixMessageQueue.unlink(name);
        }
    }

    @Test
    void inspectAllDrawsWhoTalksToWhom() throws Exception {
        // #22 (part): the command's own stdout is a pipe to this process: the graph must show it
        try (ChildJvm.Running all = ChildJvm.of(Ipc4j.class, "inspect", "--all").start()) {
            ChildJvm.Result text = all.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(0, text.status().code(), text.describe());
            long self = ProcessHandle.current().pid();
            assertTrue(text.stdoutLines().getFirst().matches("\\d+ processes share \\d+ IPC objects.*"), text.describe());
            assertTrue(text.stdoutLines().stream().anyMatch(l -> l.matches("  pipe +pipe:\\[\\d+] +.*")
                    && l.contains(self + " (") && l.contains(all.pid() + " (")), text.describe());
        }
        ChildJvm.Result json = ipc4j("inspect", "--all", "--json");
        assertEquals(0, json.status().code(), json.describe());
        com.google.gson.JsonObject graph = com.google.gson.JsonParser.parseString(json.stdout()).getAsJsonObject();
        assertTrue(graph.has("nodes") && graph.has("edges") && graph.has("objects") && graph.has("unexamined"),
                json.stdout());
        assertTrue(graph.getAsJsonArray("objects").size() > 0, json.stdout());
        ChildJvm.Result dot = ipc4j("inspect", "--all", "--dot");
        assertEquals(0, dot.status().code(), dot.describe());
        assertTrue(dot.stdout().startsWith("graph ipc {\n") && dot.stdout().strip().endsWith("}"), dot.stdout());
        ChildJvm.Result neither = ipc4j("inspect");
        assertEquals(1, neither.status().code());
        assertEquals("ipc4j: give a PID, or --all for every process (not both)", neither.stderr().strip());
    }

    @Test
    void insideAPidNamespaceTheOtherEndsAreOutOfSightAndSaidToBe() throws Exception {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/bin/unshare"))) {
            return; // a new pid namespace with its own /proc needs root and util-linux's unshare
        }
        // #22 (part): in its own pid namespace and /proc the command sees only itself; the pipe to this process
        // (its stdout) has no visible other end. It reports what it sees, never a stack trace.
        ChildJvm.Result all = ChildJvm.of(Ipc4j.class, "inspect", "--all")
                .wrappedIn("/usr/bin/unshare", "--pid", "--fork", "--mount-proc").run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, all.status().code(), all.describe());
        assertTrue(all.stdoutLines().getFirst().matches("\\d+ processes share \\d+ IPC objects.*"), all.describe());
        assertTrue(!all.stdout().contains(" " + ProcessHandle.current().pid() + " ("), "this process is out of sight");
        assertEquals("", all.stderr(), all.describe());
    }

    @Test
    void ipcsWatchMarksWhatAppearsAndWhatGoes() throws Exception {
        // #22 (part): ipcs --watch refreshes and marks objects new (+) and gone (-) since the last refresh
        String name = "/ipc4j-watch-" + Spawn.currentPid();
        try (ChildJvm.Running watch = ChildJvm.of(Ipc4j.class, "ipcs", "--watch", "--interval", "200ms", "--count",
                "1000").start()) {
            watch.awaitLine(l -> l.startsWith("ipcs, refresh 2 at "), ChildJvm.DEFAULT_TIMEOUT);
            try (PosixMessageQueue q = PosixMessageQueue.create(name).open()) {
                assertEquals(name, q.name());
                watch.awaitLine(l -> l.startsWith("+ POSIX message queue") && l.contains(" " + name + " "),
                        ChildJvm.DEFAULT_TIMEOUT);
            } finally {
                PosixMessageQueue.unlink(name);
            }
            watch.awaitLine(l -> l.startsWith("- POSIX message queue") && l.contains(" " + name + " "),
                    ChildJvm.DEFAULT_TIMEOUT);
        }
        ChildJvm.Result both = ipc4j("ipcs", "--watch", "--json");
        assertEquals("ipc4j: --watch refreshes a table: leave out --json", both.stderr().strip());
    }

    @Test
    void anotherUsersProcessIsReportedNotACrash() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return; // as non-root, every other user's process already shows this; the test needs a way to be one
        }
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "inspect", "1").asNobody().run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(1, result.status().code(), "#16.12: a partial report is not a success: " + result.describe());
        assertTrue(result.stdout().contains("its descriptors cannot be read: permission denied"), result.describe());
        assertTrue(result.stderr().startsWith("ipc4j inspect: pid 1 could not be fully examined: "),
                result.describe());
    }

    @Test
    void cleanAsAnotherUserRemovesNothingAProcessItCannotSeeMayHoldAndReportsEachRefusal() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return; // the test must be two users: root holds, nobody cleans
        }
        // #16.2: nobody's clean could not read root's /proc/PID/fd, took "cannot see" for "unused", and removed
        // a segment root had mapped; and it stopped at the first EPERM
        String name = "/ipc4j-nb-" + Spawn.currentPid();
        Path file = Path.of("/dev/shm", name.substring(1));
        ChildJvm.Result leaver = ChildJvm.of(SysVQueueLeaver.class).run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, leaver.status().code(), leaver.describe());
        String[] ids = leaver.stdoutLines().getFirst().split(" ");
        try (SharedMemory mapped = SharedMemory.create(name, 4096, 0666)) {
            Files.setAttribute(file, "unix:uid", 65534); // nobody's file, as in the report; root maps it
            assertEquals(4096, mapped.size());
            ChildJvm.Result clean = ChildJvm.of(Ipc4j.class, "clean", "--grace", "0s", "--unproven").asNobody()
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(1, clean.status().code(), clean.describe());
            assertTrue(Files.exists(file), "the mapped segment is still there: " + clean.describe());
            assertTrue(clean.stdoutLines().stream().anyMatch(l -> l.startsWith("kept POSIX shared memory " + name
                    + " (holds 4096 bytes): ") && l.contains(" live processes could not be examined")),
                    clean.describe());
            for (String id : new String[] {ids[1], ids[2]}) {
                assertTrue(clean.stdoutLines().stream().anyMatch(l -> l.startsWith("could not remove System V"
                        + " message queue " + id + " (key 0x00000000): ") && l.contains("EPERM")), clean.describe());
            }
            assertTrue(clean.stdout().contains(" live processes could not be examined ("), clean.describe());
        } finally {
            SharedMemory.unlink(name);
            for (String id : new String[] {ids[1], ids[2]}) {
                SysVMessageQueue.ofId(Integer.parseInt(id)).remove();
            }
        }
    }

    @Test
    void limitsAndACleanDryRunAnswer() throws Exception {
        ChildJvm.Result limits = ipc4j("limits");
        assertTrue(limits.stdout().contains("fs.mqueue.msg_max") && limits.stdout().contains("set in: "),
                limits.stdout());
        ChildJvm.Result clean = ipc4j("clean", "--dry-run", "--older-than", "soon");
        assertEquals(2, clean.status().code(), clean.describe());
        assertTrue(clean.stderr().startsWith("ipc4j: Invalid value for option '--older-than': 'soon' is not a duration: "
                + "write e.g. 250ms, 5s, 2m, 1h, 7d"), clean.describe());
        ChildJvm.Result dry = ipc4j("clean", "--dry-run", "--older-than", "3650d");
        assertEquals(0, dry.status().code(), dry.describe());
        assertTrue(dry.stdout().strip().endsWith("nothing to remove") || dry.stdout().contains("would remove"),
                dry.stdout());
    }
}
