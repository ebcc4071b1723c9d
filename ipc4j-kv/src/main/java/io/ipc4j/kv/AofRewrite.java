package io.ipc4j.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One BGREWRITEAOF: writes the data as it was when the rewrite began to a temporary file beside the log, on its
 * own thread, a chunk at a time ({@link SnapshotWalk}: the store lock is held for one chunk, not for a copy of
 * everything), while the commands logged meanwhile are kept ({@link #alsoLog}); {@link
 * AppendOnlyFile#finishRewrite} then appends those and renames the file over the log. A failure leaves the log
 * as it was and removes the temporary file; so does a server that stops meanwhile ({@link #abandon}), and one
 * killed in the middle has its file removed at the next start ({@link #removeAbandoned}).
 */
final class AofRewrite {
    private final Path log;
    private final Path temporary;
    private final SnapshotWalk walk;
    private final SnapshotWalk.Store store;
    private final AppendOnlyFile owner;
    /** Commands logged since the snapshot; under the owner's lock. */
    private final RespEncoder buffered = new RespEncoder();
    private static final String PREFIX = "temp-rewriteaof-";
    private volatile boolean abandoned;
    private Thread thread;

    /** A rewrite of the data as it is now: its walk starts here, so call under the store lock. */
    AofRewrite(Path log, Keyspace keyspace, SnapshotWalk.Store store, AppendOnlyFile owner) {
        this.log = log;
        this.temporary = log.resolveSibling(PREFIX + ProcessHandle.current().pid() + ".aof");
        this.walk = SnapshotWalk.start(keyspace);
        this.store = store;
        this.owner = owner;
    }

    /** The walk over the data, for INFO's progress fields. Under the store lock. */
    SnapshotWalk walk() {
        return walk;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("ipc4j-kv-aof-rewrite").start(this::run);
    }

    /**
     * Stops the rewrite because the server is stopping: detaches its walk, interrupts it, waits at most
     * {@code millis} for it to end (the thread is a daemon, which a JVM that exits does not wait for), then
     * removes the temporary file whether it ended or not (a write blocked in the kernel does not see the
     * request). Under the store lock, not under the owner's lock: the rewrite's end takes it.
     */
    void abandon(long millis) throws InterruptedException, IOException {
        abandoned = true;
        walk.detach();
        thread.interrupt();
        thread.join(millis);
        Files.deleteIfExists(temporary);
    }

    /**
     * Removes the temporary files of rewrites whose process is gone (killed in the middle of one), beside
     * {@code log}, saying so on standard error. A file of a live process is left alone.
     */
    static void removeAbandoned(Path log) throws IOException {
        Path dir = log.toAbsolutePath().getParent();
        try (var files = Files.newDirectoryStream(dir, PREFIX + "*.aof")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String digits = name.substring(PREFIX.length(), name.length() - ".aof".length());
                if (!digits.matches("[0-9]{1,10}")) {
                    continue; // not one of ours (Redis's parent writes temp-rewriteaof-bg-PID.aof)
                }
                long pid = Long.parseLong(digits);
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                    Files.deleteIfExists(file);
                    System.err.println("[ipc4j-kv] removed " + file + ": a BGREWRITEAOF of process " + pid
                            + ", which is gone, left it; the append-only file itself is whole");
                }
            }
        }
    }

    /** Keeps a command logged during the rewrite. Under the owner's lock. */
    void alsoLog(Consumer<RespEncoder> write) {
        write.accept(buffered);
    }

    private void run() {
        boolean ok = false;
        try {
            writeSnapshot();
            owner.finishRewrite(temporary, buffered);
            ok = true;
        } catch (IOException | RuntimeException | InterruptedException e) {
            System.err.println(abandoned ? "[ipc4j-kv] BGREWRITEAOF stopped with the server; " + log + " is unchanged"
                    : "[ipc4j-kv] BGREWRITEAOF failed, " + log + " is unchanged: " + e);
        } finally {
            walk.detach(store, () -> abandoned, () -> { });
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                System.err.println("[ipc4j-kv] could not remove " + temporary + ": " + e.getMessage());
            }
            owner.rewriteEnded(ok);
        }
    }

    private void writeSnapshot() throws IOException, InterruptedException {
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            RespEncoder chunk = new RespEncoder();
            int[] db = {-1};
            walk.handOut(store, () -> abandoned, item -> {
                if (item.db() != db[0]) {
                    db[0] = item.db();
                    chunk.command(AofSnapshot.select(db[0]));
                }
                for (byte[][] command : item.commands()) {
                    chunk.command(command);
                    if (chunk.size() > 1 << 20) { // within a key too: one of millions of elements is many MB
                        drain(chunk, out);
                    }
                }
            });
            drain(chunk, out);
            out.force(true);
        }
    }

    private static void drain(RespEncoder chunk, FileChannel out) throws IOException {
        ByteBuffer bytes = chunk.view();
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        chunk.clear();
    }
}
