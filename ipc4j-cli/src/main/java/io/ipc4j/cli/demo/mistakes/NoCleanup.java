package io.ipc4j.cli.demo.mistakes;

import io.ipc4j.inspect.IpcCleaner;
import io.ipc4j.inspect.IpcObject;
import io.ipc4j.inspect.IpcObjects;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** 6. A process dies holding a queue, a segment, a semaphore and a FIFO: they outlive it. */
final class NoCleanup implements Mistake {
    /** The demo's objects were made a moment ago, and its segment is a raw one: it names them itself. */
    private static final IpcCleaner.Policy JUST_MADE = IpcCleaner.Policy.defaults()
            .withGrace(java.time.Duration.ZERO).withUnproven(true).withMessages(true)
            .withIgnoreUnexamined(true);
    @Override
    public String name() {
        return "cleanup";
    }

    @Override
    public String title() {
        return "Not cleaning up IPC resources";
    }

    @Override
    public String explanation() {
        return "Queues, shared memory, semaphores and FIFOs belong to the kernel or the file system, not to the "
                + "process: when it dies without removing them (kill -9, a crash), they stay, holding memory and "
                + "names, until someone removes them. A child creates one of each and is killed.";
    }

    @Override
    public Outcome run() throws IOException {
        Outcome outcome = Outcome.of();
        Path dir = Files.createTempDirectory("ipc4j-mistake-6-");
        try (Pipe out = Pipe.open(); ChildProcess child = Spawn.java(Creator.class.getName(), dir.toString())
                .stdout(out.writer()).start()) {
            out.writer().close();
            String[] names = readLine(out).split(" ");
            child.kill();
            child.waitFor(Duration.ofSeconds(10));
            Set<String> mine = Set.of(names[0], names[1], names[2]);
            Path fifo = Path.of(names[3]);
            List<String> left = new ArrayList<>();
            for (IpcObject o : IpcObjects.list()) {
                if (mine.contains(o.id())) {
                    left.add(o.kind().title() + " " + o.id() + " (users now " + o.users() + ", recorded pids "
                            + o.pids() + ", alive " + o.alivePids() + ")");
                }
            }
            if (Files.exists(fifo)) {
                left.add("FIFO " + fifo);
            }
            outcome.wrong().put("child", "pid " + child.pid() + " killed by SIGKILL");
            outcome.wrong().put("left behind", left);
            List<String> removed = new ArrayList<>();
            List<String> others = new ArrayList<>();
            for (IpcCleaner.Removal r : IpcCleaner.plan(JUST_MADE).removals()) {
                if (mine.contains(r.object().id())) {
                    IpcCleaner.remove(r.object());
                    removed.add(r.object().kind().title() + " " + r.object().id() + ": " + r.reason());
                } else {
                    others.add(r.object().kind().title() + " " + r.object().id());
                }
            }
            if (Fifo.open(fifo).remove()) {
                removed.add("FIFO " + fifo + ": a file; clean does not hunt files, the demo knows its path");
            }
            outcome.right().put("removed", removed);
            long stillThere = IpcObjects.list().stream().filter(o -> mine.contains(o.id())).count()
                    + (Files.exists(fifo) ? 1 : 0);
            outcome.right().put("left after clean-up", stillThere);
            if (!others.isEmpty()) {
                outcome.right().put("also left by dead processes, not touched (run ipc4j clean)", others);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        return outcome;
    }

    private static String readLine(Pipe out) throws IOException {
        StringBuilder line = new StringBuilder();
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
        while (out.reader().read(one.clear(), Duration.ofSeconds(30)) > 0 && one.get(0) != '\n') {
            line.append((char) one.get(0));
        }
        return line.toString();
    }

    /** The careless process: creates a queue, a segment, a semaphore set and a FIFO, prints them, waits. */
    public static final class Creator {
        public static void main(String[] args) throws Exception {
            int pid = Spawn.currentPid();
            String queue = "/ipc4j-mistake-6-mq-" + pid;
            String segment = "/ipc4j-mistake-6-shm-" + pid;
            PosixMessageQueue.create(queue).open();
            SharedMemory.create(segment, 4096);
            SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1);
            set.operate(SemOp.add(0, 1));
            Fifo fifo = Fifo.create(Path.of(args[0], "careless.fifo"));
            System.out.write((queue + " " + segment + " " + set.id() + " " + fifo.path() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(5));
        }
    }
}
