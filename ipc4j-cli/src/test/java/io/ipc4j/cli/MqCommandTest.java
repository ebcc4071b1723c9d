package io.ipc4j.cli;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j mq ...} and {@code ipc4j demo mq}: each command a process of its own, as from a shell. */
class MqCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private final String name = "/ipc4j-cli-" + ProcessHandle.current().pid();

    @AfterEach
    void unlink() throws Exception {
        PosixMessageQueue.unlink(name);
    }

    private static ChildJvm.Result ipc4j(String... args) throws Exception {
        return ChildJvm.of(Ipc4j.class, args).run(ChildJvm.DEFAULT_TIMEOUT);
    }

    @Test
    void aPosixQueueCanBeDrivenFromTheShell() throws Exception {
        assertEquals(name + ": max 4 messages of 128 bytes",
                ipc4j("mq", "create", name, "--max-messages", "4", "--message-size", "128").stdout().strip());
        assertEquals(0, ipc4j("mq", "send", name, "hello", "world", "--priority", "2").status().code());
        assertEquals(0, ipc4j("mq", "send", name, "urgent", "--priority", "8").status().code());
        assertTrue(ipc4j("mq", "stat", name).stdout().contains("messages      2 of 4"));
        assertEquals(List.of("8\turgent", "2\thello world"), ipc4j("mq", "receive", name, "--count", "2").stdoutLines());
        ChildJvm.Result empty = ipc4j("mq", "receive", name, "--timeout", "100ms");
        assertEquals(1, empty.status().code());
        assertEquals("ipc4j: mq_receive(" + name + "): timed out after 100 ms", empty.stderr().strip());
        assertEquals(0, ipc4j("mq", "remove", name).status().code());
        assertEquals("ipc4j: no POSIX queue " + name, ipc4j("mq", "remove", name).stderr().strip());
    }

    @Test
    void aSysVQueueCanBeDrivenFromTheShell() throws Exception {
        String created = ipc4j("mq", "create", "sysv:private").stdout().strip();
        String queue = created.replaceAll(".*use (sysv-id:\\d+)$", "$1");
        try {
            assertEquals(0, ipc4j("mq", "send", queue, "first", "--type", "3").status().code());
            assertEquals(0, ipc4j("mq", "send", queue, "second", "--type", "1").status().code());
            assertEquals(List.of("1\tsecond"), ipc4j("mq", "receive", queue, "--type", "-2").stdoutLines());
            assertTrue(ipc4j("mq", "stat", queue).stdout().contains("messages      1"));
        } finally {
            assertEquals(0, ipc4j("mq", "remove", queue).status().code(), created);
        }
    }

    @Test
    void aMistypedQueueNameSaysHowToWriteOne() throws Exception {
        ChildJvm.Result result = ipc4j("mq", "stat", "orders");
        assertEquals(1, result.status().code());
        assertEquals("ipc4j: 'orders' names no queue: write /name for a POSIX queue, or sysv:0x1234, sysv-id:ID or "
                + "ftok:PATH:PROJECT for a System V queue", result.stderr().strip());
    }

    @Test
    void theDemoShowsTheKernelsOrder() throws Exception {
        ChildJvm.Result result = ipc4j("demo", "mq");
        assertEquals(0, result.status().code(), result.describe());
        List<String> received = result.stdoutLines().stream().filter(l -> l.contains("  <- "))
                .map(l -> l.substring(l.indexOf("<- ") + 3)).toList();
        assertEquals(List.of("priority 9: \"urgent\"", "priority 9: \"urgent again\"", "priority 5: \"normal\"",
                "priority 1: \"low\"", "priority 1: \"low again\"", "type 2: \"refund\"", "type 1: \"invoice\"",
                "type 1: \"invoice 2\"", "type 3: \"order\"", "type 3: \"order 2\""), received);
        assertTrue(result.stdoutLines().stream().anyMatch(l -> l.startsWith("child [")), "the sender is a child");
    }
}
