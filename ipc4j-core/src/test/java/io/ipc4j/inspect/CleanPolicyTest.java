package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * #16.3: what clean spares by default. A child leaves two queues holding messages, a semaphore and a plain
 * file in /dev/shm, and exits; only its objects are looked at (the plan covers the whole machine), and only
 * they are removed.
 */
class CleanPolicyTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /** Some machines have processes even root cannot examine (a container's pid 1): not this test's subject. */
    private static final IpcCleaner.Policy DEFAULTS = IpcCleaner.Policy.defaults().withIgnoreUnexamined(true);

    @Test
    void queuesWithMessagesYoungObjectsAndUnprovenFilesAreSparedUnlessAsked() throws Exception {
        ChildJvm.Result child = ChildJvm.of(ObjectLeaver.class).run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, child.status().code(), child.describe());
        String[] n = child.stdoutLines().getFirst().split(" ");
        String sysvQueue = "SYSV_MESSAGE_QUEUE " + n[1];
        String posixQueue = "POSIX_MESSAGE_QUEUE " + n[2];
        String semaphore = "POSIX_SEMAPHORE " + n[3];
        String file = "POSIX_SHARED_MEMORY " + n[4];
        try {
            Map<String, String> byDefault = spared(IpcCleaner.plan(DEFAULTS));
            assertEquals("it holds 2 messages, 5 bytes (--with-messages removes it)", byDefault.get(sysvQueue));
            assertEquals("it holds 1 message, 4 bytes (--with-messages removes it)", byDefault.get(posixQueue));
            assertTrue(byDefault.get(semaphore).matches("changed \\d+ s ago, within the grace period of 300 s"
                    + " \\(--grace shortens it\\)"), byDefault.toString());
            assertTrue(byDefault.get(file).startsWith("changed "), byDefault.toString());

            IpcCleaner.Outcome noGrace = IpcCleaner.plan(DEFAULTS.withGrace(Duration.ZERO));
            Map<String, String> spared = spared(noGrace);
            assertTrue(spared.get(file).startsWith("a file in /dev/shm that ipc4j cannot prove is an IPC object"),
                    spared.toString());
            assertTrue(spared.containsKey(sysvQueue) && spared.containsKey(posixQueue), spared.toString());
            assertTrue(noGrace.removals().stream().anyMatch(r -> key(r.object()).equals(semaphore)),
                    "a 32-byte sem.* file is proof of a semaphore: " + noGrace.removals());

            IpcCleaner.Outcome all = IpcCleaner.plan(DEFAULTS.withGrace(Duration.ZERO)
                    .withMessages(true).withUnproven(true));
            Map<String, IpcObject> planned = all.removals().stream().map(IpcCleaner.Removal::object)
                    .collect(Collectors.toMap(CleanPolicyTest::key, Function.identity(), (a, b) -> a));
            for (String mine : new String[] {sysvQueue, posixQueue, semaphore, file}) {
                assertTrue(planned.containsKey(mine), mine + " with every flag: " + planned.keySet());
                IpcCleaner.remove(planned.get(mine));
            }
            assertEquals("2 messages, 5 bytes", IpcCleaner.holdings(planned.get(sysvQueue)));
            assertTrue(IpcObjects.list().stream().map(CleanPolicyTest::key)
                    .noneMatch(k -> k.equals(sysvQueue) || k.equals(posixQueue) || k.equals(semaphore)
                            || k.equals(file)));
        } finally { // whatever failed above, nothing of the child's stays
            tryRun(() -> SysVMessageQueue.ofId(Integer.parseInt(n[1])).remove());
            tryRun(() -> PosixMessageQueue.unlink(n[2]));
            tryRun(() -> PosixSemaphore.unlink(n[3]));
            Files.deleteIfExists(Path.of("/dev/shm", n[4].substring(1)));
        }
    }

    private static Map<String, String> spared(IpcCleaner.Outcome outcome) {
        return outcome.kept().stream().collect(Collectors.toMap(k -> key(k.object()), IpcCleaner.Kept::reason,
                (a, b) -> a));
    }

    private static String key(IpcObject o) {
        return o.kind() + " " + o.id();
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void tryRun(Action action) {
        try {
            action.run();
        } catch (Exception gone) {
            // removed already
        }
    }
}
