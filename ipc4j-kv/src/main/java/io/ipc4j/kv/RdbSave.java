package io.ipc4j.kv;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * SAVE and BGSAVE: the data to an RDB file that redis-server loads ({@link RdbWriter}), written to
 * {@code temp-PID.rdb} beside it, forced to the disk and renamed over it, so the old snapshot stays whole until
 * the new one is. SAVE holds the store lock throughout (as Redis's SAVE blocks); BGSAVE walks the data a chunk
 * at a time from its own thread ({@link SnapshotWalk}, as BGREWRITEAOF does). One background walk at a time.
 * A server that stops during a BGSAVE removes the temporary file. Methods are called under the store lock.
 */
final class RdbSave {
    private final Keyspace keyspace;
    private final SnapshotWalk.Store store;
    private volatile long lastSaveMillis;
    private volatile String lastBackgroundStatus = "ok";
    private long changesAtLastSave;
    private Background running;

    RdbSave(Keyspace keyspace, SnapshotWalk.Store store, long startedMillis) {
        this.keyspace = keyspace;
        this.store = store;
        this.lastSaveMillis = startedMillis;
    }

    /** SAVE: writes every live key now. */
    void save(Path target, long now) throws IOException {
        if (running != null) {
            throw new IOException("Background save already in progress");
        }
        writeAtomically(target, w -> {
            for (Database db : keyspace.databases) {
                for (Database.Entry e : db.all(now)) {
                    w.key(new AofSnapshot.Item(db.index, e.key.bytes, e.value, e.expireAt));
                }
            }
        });
        saved();
    }

    /**
     * BGSAVE: starts writing the data as it is now from a background thread.
     *
     * @return null if started, else Redis's reason why not
     */
    String startBackground(Path target) {
        if (running != null) {
            return "ERR Background save already in progress";
        }
        if (keyspace.walk != null) {
            return "ERR An AOF log rewriting in progress: can't BGSAVE right now.";
        }
        running = new Background(SnapshotWalk.start(keyspace), target);
        running.thread.start();
        return null;
    }

    boolean inProgress() {
        return running != null;
    }

    long lastSaveMillis() {
        return lastSaveMillis;
    }

    String lastBackgroundStatus() {
        return lastBackgroundStatus;
    }

    /** Changes since the last SAVE or BGSAVE began (INFO's rdb_changes_since_last_save). */
    long changesSinceSave() {
        return keyspace.changes - changesAtLastSave;
    }

    /** The server is stopping: a BGSAVE in progress is given up and its temporary file removed. */
    void close() throws InterruptedException, IOException {
        Background b = running;
        if (b != null) {
            b.abandon();
        }
    }

    private void saved() {
        lastSaveMillis = System.currentTimeMillis();
        changesAtLastSave = keyspace.changes;
    }

    private static Path temporaryFor(Path target) {
        return target.resolveSibling("temp-" + ProcessHandle.current().pid() + ".rdb");
    }

    /** What puts a snapshot's keys into its writer; may throw {@code E} besides I/O errors. */
    private interface Keys<E extends Exception> {
        void writeTo(RdbWriter w) throws IOException, E;
    }

    /**
     * Writes a snapshot of {@code keys} to a temporary file beside {@code target}, forces it to the disk
     * and renames it over {@code target}; whatever happens, no temporary file outlives the call.
     */
    private static <E extends Exception> void writeAtomically(Path target, Keys<E> keys) throws IOException, E {
        Path temporary = temporaryFor(target);
        try {
            try (FileChannel file = open(temporary); OutputStream out = buffered(file)) {
                RdbWriter w = new RdbWriter(out);
                keys.writeTo(w);
                w.finish();
                file.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    private static OutputStream buffered(FileChannel file) {
        return new BufferedOutputStream(Channels.newOutputStream(file), 1 << 16);
    }

    /** One BGSAVE. */
    private final class Background {
        private final SnapshotWalk walk;
        private final Path target;
        private final Path temporary;
        private final long changesAtStart = keyspace.changes;
        private final Thread thread;
        private volatile boolean abandoned;

        Background(SnapshotWalk walk, Path target) {
            this.walk = walk;
            this.target = target;
            this.temporary = temporaryFor(target);
            this.thread = Thread.ofPlatform().daemon().name("ipc4j-kv-bgsave").unstarted(this::run);
        }

        private void run() {
            boolean ok = false;
            try {
                writeAtomically(target, w -> walk.handOut(store, () -> abandoned, w::key));
                ok = true;
            } catch (IOException | RuntimeException | InterruptedException e) {
                System.err.println(abandoned ? "[ipc4j-kv] BGSAVE stopped with the server; " + target + " is unchanged"
                        : "[ipc4j-kv] BGSAVE failed, " + target + " is unchanged: " + e);
            } finally {
                boolean succeeded = ok;
                walk.detach(store, () -> abandoned, () -> ended(succeeded));
            }
        }

        /** Under the store lock. */
        private void ended(boolean ok) {
            running = null;
            lastBackgroundStatus = ok ? "ok" : "err";
            if (ok) {
                lastSaveMillis = System.currentTimeMillis();
                changesAtLastSave = changesAtStart;
            }
        }

        /** Under the store lock: detaches the walk, stops the thread (at most 2 s), removes the file. */
        void abandon() throws InterruptedException, IOException {
            abandoned = true;
            walk.detach();
            thread.interrupt();
            thread.join(AppendOnlyFile.ABANDON_WAIT_MILLIS);
            Files.deleteIfExists(temporary);
            running = null;
        }
    }
}
