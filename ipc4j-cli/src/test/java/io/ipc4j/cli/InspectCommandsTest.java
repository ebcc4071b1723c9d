package io.ipc4j.cli;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.process.Spawn;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
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
    void anotherUsersProcessIsReportedNotACrash() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return; // as non-root, every other user's process already shows this; the test needs a way to be one
        }
        ChildJvm.Result result = ChildJvm.of(Ipc4j.class, "inspect", "1").asNobody().run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, result.status().code(), result.describe());
        assertTrue(result.stdout().contains("its descriptors cannot be read: permission denied"), result.describe());
    }

    @Test
    void limitsAndACleanDryRunAnswer() throws Exception {
        ChildJvm.Result limits = ipc4j("limits");
        assertTrue(limits.stdout().contains("fs.mqueue.msg_max") && limits.stdout().contains("set in: "),
                limits.stdout());
        ChildJvm.Result clean = ipc4j("clean", "--dry-run", "--older-than", "soon");
        assertEquals(2, clean.status().code(), clean.describe());
        assertTrue(clean.stderr().startsWith("Invalid value for option '--older-than': 'soon' is not a duration: "
                + "write e.g. 250ms, 5s, 2m, 1h, 7d"), clean.describe());
        ChildJvm.Result dry = ipc4j("clean", "--dry-run", "--older-than", "3650d");
        assertEquals(0, dry.status().code(), dry.describe());
        assertTrue(dry.stdout().strip().endsWith("nothing to remove") || dry.stdout().contains("would remove"),
                dry.stdout());
    }
}
