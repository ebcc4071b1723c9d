package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.SysVSemaphoreSet;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child creates an object of every kind and holds them; this process inspects it, lists the machine's
 * objects (and compares with util-linux ipcs), kills it, and checks that clean selects exactly its objects
 * (and none of three bystanders), then removes them.
 */
class InspectTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();
    /** The objects here were made a moment ago, and are raw segments: the default policy would spare them. */
    private static final IpcCleaner.Policy JUST_MADE = IpcCleaner.Policy.defaults().withGrace(Duration.ZERO)
            .withUnproven(true).withMessages(true)
            .withIgnoreUnexamined(true);

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void everyKindIsSeenAndWhatADeadProcessLeftIsCleanedAndNothingElse() throws Exception {
        int self = Spawn.currentPid();
        SysVMessageQueue idleQueue = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        SysVSemaphoreSet ownSet = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1);
        String busyName = "/ipc4j-bystander-" + self;
        try (SharedMemory busy = SharedMemory.create(busyName, 4096);
             ChildJvm.Running child = ChildJvm.of(ObjectHolder.class, LEAKS.scratch().toString()).start()) {
            String[] names = child.awaitLine(l -> l.startsWith("names "), LIMIT).split(" ");
            Set<String> childObjects = Set.of("SYSV_MESSAGE_QUEUE " + names[1], "SYSV_SHARED_MEMORY " + names[2],
                    "SYSV_SEMAPHORE_SET " + names[3], "POSIX_MESSAGE_QUEUE " + names[4],
                    "POSIX_SHARED_MEMORY " + names[5], "POSIX_SEMAPHORE " + names[6]);
            try (PipeWriter fifo = Fifo.open(Path.of(names[7])).openWriter(LIMIT);
                 SocketChannel tcp = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                         Integer.parseInt(names[8])))) {
                child.awaitLine("ready"::equals, LIMIT);
                assertTrue(fifo.isOpen() && tcp.isConnected() && busy.size() == 4096);
                checkInspection(ProcessInspector.inspect(child.pid()), names, self);
                checkListing(IpcObjects.list(), childObjects, child.pid(), names);
                agreesWithLsipc(IpcObjects.list());
                assertTrue(IpcCleaner.plan(JUST_MADE).removals().stream().noneMatch(r -> childObjects.contains(key(r.object()))),
                        "nothing a live process holds may be planned for removal");
                child.process().kill();
                child.process().waitFor(LIMIT);
            }
            Files.delete(Path.of(names[7]));
            // The plan covers the whole machine, which may hold other dead processes' leftovers: check it,
            // then remove only the child's, so that a test never destroys objects it did not make.
            List<IpcCleaner.Removal> plan = IpcCleaner.plan(JUST_MADE).removals();
            Set<String> planned = plan.stream().map(r -> key(r.object())).collect(Collectors.toSet());
            assertTrue(planned.containsAll(childObjects), "clean must select what the dead child left: " + planned);
            for (String bystander : List.of("SYSV_MESSAGE_QUEUE " + idleQueue.id(), "SYSV_SEMAPHORE_SET "
                    + ownSet.id(), "POSIX_SHARED_MEMORY " + busyName)) {
                assertFalse(planned.contains(bystander), bystander + " is not left behind: " + planned);
            }
            for (IpcCleaner.Removal r : plan) {
                if (childObjects.contains(key(r.object()))) {
                    IpcCleaner.remove(r.object());
                }
            }
            Set<String> left = IpcObjects.list().stream().map(InspectTest::key).collect(Collectors.toSet());
            assertTrue(left.contains("SYSV_MESSAGE_QUEUE " + idleQueue.id()), "a queue nobody used yet was kept");
            assertTrue(left.contains("SYSV_SEMAPHORE_SET " + ownSet.id()), "a set of a live creator was kept");
            assertTrue(left.contains("POSIX_SHARED_MEMORY " + busyName), "a segment in use was kept");
            assertTrue(childObjects.stream().noneMatch(left::contains));
        } finally {
            idleQueue.remove();
            ownSet.remove();
            SharedMemory.unlink(busyName);
        }
    }

    /** util-linux's lsipc counts the System V objects in use: ipc4j must list as many of each kind. */
    private static void agreesWithLsipc(List<IpcObject> objects) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/lsipc"))) {
            return; // no util-linux lsipc here: the ipcs comparison above stands
        }
        String table = run("/usr/bin/lsipc", "-r", "-o", "RESOURCE,USED");
        java.util.Map<String, Long> used = new java.util.HashMap<>();
        for (String line : table.lines().skip(1).toList()) {
            String[] f = line.split(" ");
            if (f.length == 2 && f[1].matches("\\d+")) {
                used.put(f[0], Long.parseLong(f[1]));
            }
        }
        assertEquals(used.get("MSGMNI"), count(objects, IpcObject.Kind.SYSV_MESSAGE_QUEUE), table);
        assertEquals(used.get("SHMMNI"), count(objects, IpcObject.Kind.SYSV_SHARED_MEMORY), table);
        assertEquals(used.get("SEMMNI"), count(objects, IpcObject.Kind.SYSV_SEMAPHORE_SET), table);
    }

    private static long count(List<IpcObject> objects, IpcObject.Kind kind) {
        return objects.stream().filter(o -> o.kind() == kind).count();
    }

    private static String key(IpcObject o) {
        return o.kind() + " " + o.id();
    }

    private static void checkInspection(ProcessReport report, String[] names, int self) {
        assertEquals(null, report.problem());
        List<FdInfo> fds = report.descriptors();
        assertTrue(fds.stream().anyMatch(f -> f.kind() == FdKind.PIPE && f.detail().endsWith("write end")
                && f.peers().contains(self)), "stdout is a pipe whose read end this process holds: " + fds);
        assertTrue(fds.stream().anyMatch(f -> f.kind() == FdKind.FIFO && f.target().equals(names[7])
                && f.detail().endsWith("read end") && f.peers().contains(self)), fds.toString());
        assertTrue(fds.stream().anyMatch(f -> f.kind() == FdKind.POSIX_MESSAGE_QUEUE && f.target().equals(names[4])),
                fds.toString());
        assertTrue(fds.stream().anyMatch(f -> f.kind() == FdKind.TCP_SOCKET && f.detail().endsWith("ESTABLISHED")
                && f.peers().contains(self)), "the TCP connection's other end is this process: " + fds);
        assertTrue(fds.stream().anyMatch(f -> f.kind() == FdKind.TCP_SOCKET && f.detail().endsWith("LISTEN")));
        List<MappingInfo> maps = report.mappings();
        assertTrue(maps.stream().anyMatch(m -> m.kind().equals("POSIX shared memory") && m.name().equals(names[5])
                && m.bytes() == 8192), maps.toString());
        assertTrue(maps.stream().anyMatch(m -> m.kind().equals("POSIX semaphore") && m.name().equals(names[6])),
                maps.toString());
        assertTrue(maps.stream().anyMatch(m -> m.kind().equals("System V shared memory")
                && m.name().endsWith("id " + names[2])), maps.toString());
    }

    private static void checkListing(List<IpcObject> objects, Set<String> childObjects, int childPid, String[] names)
            throws Exception {
        for (String expected : childObjects) {
            IpcObject o = objects.stream().filter(x -> key(x).equals(expected)).findFirst()
                    .orElseThrow(() -> new AssertionError(expected + " not listed: " + objects));
            assertFalse(o.unused(), expected + " is held by a live child: " + o);
            if (o.key() != null) {
                assertTrue(o.pids().contains(childPid), "the kernel recorded the child for " + o);
            } else {
                assertEquals(List.of(childPid), o.users(), o.toString());
            }
        }
        String utilLinux = run("ipcs", "-q", "-m", "-s");
        for (String id : List.of(names[1], names[2], names[3])) {
            assertTrue(utilLinux.lines().anyMatch(l -> List.of(l.trim().split("\\s+")).contains(id)),
                    "util-linux ipcs does not show id " + id + ":\n" + utilLinux);
        }
    }

    private static String run(String... command) throws Exception {
        try (io.ipc4j.pipe.Pipe out = io.ipc4j.pipe.Pipe.open();
             ChildProcess p = Spawn.command(command).stdout(out.writer()).start()) {
            out.writer().close();
            String text = new String(out.reader().inputStream(LIMIT).readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(LIMIT);
            return text;
        }
    }

    @Test
    void aMissingProcessIsNoSuchFile() {
        var e = assertThrows(NoSuchFileException.class, () -> ProcessInspector.inspect(Integer.MAX_VALUE));
        assertEquals("/proc/" + Integer.MAX_VALUE + ": no process " + Integer.MAX_VALUE, e.getMessage());
    }

    @Test
    void limitsNameWhereEachIsSet() {
        List<IpcLimits.Limit> limits = IpcLimits.read();
        IpcLimits.Limit msgMax = limits.stream().filter(l -> l.name().equals("fs.mqueue.msg_max")).findFirst()
                .orElseThrow();
        assertEquals(String.valueOf(io.ipc4j.mq.MqLimits.current().posixMaxMessages()), msgMax.value());
        assertTrue(msgMax.where().startsWith("/proc/sys/fs/mqueue/msg_max"), msgMax.where());
        assertTrue(limits.stream().anyMatch(l -> l.name().equals("RLIMIT_MSGQUEUE") && !l.value().equals("unreadable")));
        assertTrue(limits.stream().anyMatch(l -> l.name().equals("/dev/mqueue")));
    }
}
