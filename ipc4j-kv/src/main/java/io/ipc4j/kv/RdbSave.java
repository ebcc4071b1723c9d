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
import java.util.concurrent.locks.Lock;
import java.util.function.LongSupplier;

/**
 * SAVE and BGSAVE: the data to an RDB file that redis-server loads ({@link RdbWriter}), written to
 * {@code temp-PID.rdb} beside it, forced to the disk and renamed over it, so the old snapshot stays whole until
 * the new one is. SAVE holds the store lock throughout (as Redis's SAVE blocks); BGSAVE walks the data a chunk
 * at a time from its own thread ({@link SnapshotWalk}, as BGREWRITEAOF does). One background walk at a time.
 * A server that stops during a BGSAVE removes the temporary file. Methods are called under the store lock.
 */
final class RdbSave {
    private final Keyspace keyspace;
    private final Lock lock;
    private final LongSupplier keySaveDelayMicros;
    private volatile long lastSaveMillis;
    private volatile String lastBackgroundStatus = "ok";
    private long changesAtLastSave;
    private Background running;

    RdbSave(Keyspace keyspace, Lock lock, LongSupplier keySaveDelayMicros, long startedMillis) {
        this.keyspace = keyspace;
        this.lock = lock;
        this.keySaveDelayMicros = keySaveDelayMicros;
        this.lastSaveMillis = startedMillis;
    }

    /** SAVE: writes every live key now. */
    void save(Path target, long now) throws IOException {
        if (running != null) {
            throw new IOException("Background save already in progress");
        }
        Path temporary = temporaryFor(target);
        try {
            try (FileChannel file = open(temporary); OutputStream out = buffered(file)) {
                RdbWriter w = new RdbWriter(out);
                for (Database db : keyspace.databases) {
                    for (Database.Entry e : db.all(now)) {
                        w.key(new AofSnapshot.Item(db.index, e.key.bytes, e.value, e.expireAt));
                    }
                }
                w.finish();
                file.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
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
                try (FileChannel file = open(temporary); OutputStream out = buffered(file)) {
                    RdbWriter w = new RdbWriter(out);
                    walk.handOut(lock, keySaveDelayMicros, () -> abandoned, w::key);
                    w.finish();
                    out.flush();
                    file.force(true);
                }
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                ok = true;
            } catch (IOException | RuntimeException | InterruptedException e) {
                System.err.println(abandoned ? "[ipc4j-kv] BGSAVE stopped with the server; " + target + " is unchanged"
                        : "[ipc4j-kv] BGSAVE failed, " + target + " is unchanged: " + e);
            } finally {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    System.err.println("[ipc4j-kv] could not remove " + temporary + ": " + e.getMessage());
                }
                boolean succeeded = ok;
                walk.detach(lock, () -> abandoned, () -> ended(succeeded));
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
