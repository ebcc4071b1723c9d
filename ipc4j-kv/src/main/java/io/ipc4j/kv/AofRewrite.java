package io.ipc4j.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One BGREWRITEAOF: writes a snapshot's commands to a temporary file beside the log on its own thread, while
 * the commands logged meanwhile are kept ({@link #alsoLog}); {@link AppendOnlyFile#finishRewrite} then
 * appends those and renames the file over the log. A failure leaves the log as it was and removes the
 * temporary file.
 */
final class AofRewrite {
    private final Path log;
    private final Path temporary;
    private final AofSnapshot snapshot;
    private final AppendOnlyFile owner;
    /** Commands logged since the snapshot; under the owner's lock. */
    private final RespEncoder buffered = new RespEncoder();

    AofRewrite(Path log, AofSnapshot snapshot, AppendOnlyFile owner) {
        this.log = log;
        this.temporary = log.resolveSibling("temp-rewriteaof-" + ProcessHandle.current().pid() + ".aof");
        this.snapshot = snapshot;
        this.owner = owner;
    }

    void start() {
        Thread.ofPlatform().daemon().name("ipc4j-kv-aof-rewrite").start(this::run);
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
        } catch (IOException | RuntimeException e) {
            System.err.println("[ipc4j-kv] BGREWRITEAOF failed, " + log + " is unchanged: " + e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                System.err.println("[ipc4j-kv] could not remove " + temporary + ": " + e.getMessage());
            }
            owner.rewriteEnded(ok);
        }
    }

    private void writeSnapshot() throws IOException {
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            RespEncoder chunk = new RespEncoder();
            int db = -1;
            for (AofSnapshot.Item item : snapshot.items()) {
                if (item.db() != db) {
                    db = item.db();
                    chunk.command(AofSnapshot.select(db));
                }
                for (byte[][] command : item.commands()) {
                    chunk.command(command);
                }
                if (chunk.size() > 1 << 20) {
                    drain(chunk, out);
                }
            }
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
