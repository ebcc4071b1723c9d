package io.ipc4j.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The append-only log: every command that changed data, in RESP, in the order it ran (Redis's AOF format,
 * one file, no RDB preamble). Commands are encoded under the store lock ({@link #log}); their bytes go to
 * the file before any reply leaves ({@link #beforeReplies}), so what a client saw acknowledged is at least in
 * the kernel; with appendfsync always it is also on the disk, and with everysec a background thread forces it
 * there once a second. {@link #startRewrite} compacts the file in the background (BGREWRITEAOF).
 *
 * <p>Lock order: the store lock, then this object.
 */
final class AppendOnlyFile implements AutoCloseable {
    private final Path file;
    private final Persistence.Fsync fsync;
    private FileChannel channel;
    private final RespEncoder pending = new RespEncoder();
    private int selectedDb = -1;
    /** Inside EXEC: MULTI is written before the first command that changed data, EXEC at the end. */
    private boolean inTransaction;
    private boolean transactionStarted;
    /** Bytes written since the last force to the disk. */
    private boolean unsynced;
    private long size;
    private long sizeAfterRewrite;
    private AofRewrite rewrite;
    private long rewritesStarted;
    private volatile String lastRewriteStatus = "ok";
    private final Thread syncer;
    private volatile boolean closed;

    private AppendOnlyFile(Path file, Persistence.Fsync fsync) throws IOException {
        this.file = file;
        this.fsync = fsync;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        this.size = channel.size();
        this.sizeAfterRewrite = size;
        this.syncer = fsync == Persistence.Fsync.EVERYSEC
                ? Thread.ofPlatform().daemon().name("ipc4j-kv-aof-fsync").start(this::syncEverySecond) : null;
    }

    /**
     * Opens (creating if needed) the log for appending.
     *
     * @throws IOException if the file cannot be opened: the message names it
     */
    static AppendOnlyFile open(Persistence p) throws IOException {
        try {
            AofRewrite.removeAbandoned(p.file());
            return new AppendOnlyFile(p.file(), p.fsync());
        } catch (IOException e) {
            throw new IOException("cannot open the append-only file " + p.file() + ": " + e.getMessage()
                    + " (check that --dir exists and is writable)", e);
        }
    }

    Path file() {
        return file;
    }

    Persistence.Fsync fsync() {
        return fsync;
    }

    /** Logs a command that changed data in database {@code db}. Under the store lock. */
    synchronized void log(int db, byte[][] command) {
        if (db != selectedDb) {
            append(e -> e.command("SELECT", Integer.toString(db)));
            selectedDb = db;
        }
        if (inTransaction && !transactionStarted) {
            transactionStarted = true;
            append(e -> e.command("MULTI"));
        }
        append(e -> e.command(command));
    }

    /** Logs the deletion of a key evicted for maxmemory. Under the store lock. */
    void logEviction(int db, Key key) {
        log(db, new byte[][] {"DEL".getBytes(java.nio.charset.StandardCharsets.US_ASCII), key.bytes});
    }

    synchronized void beginTransaction() {
        inTransaction = true;
        transactionStarted = false;
    }

    synchronized void endTransaction() {
        if (transactionStarted) {
            append(e -> e.command("EXEC"));
        }
        inTransaction = false;
        transactionStarted = false;
    }

    private void append(java.util.function.Consumer<RespEncoder> write) {
        write.accept(pending);
        if (rewrite != null) {
            rewrite.alsoLog(write);
        }
    }

    /**
     * Writes what was logged to the file, and forces it to the disk with appendfsync always. Called by every
     * event loop before it sends replies; cheap when nothing is new.
     *
     * @throws UncheckedIOException if the file cannot be written (the server then stops: acknowledging writes
     *                              it cannot keep would lose data silently)
     */
    synchronized void beforeReplies() {
        if (pending.size() == 0 && !(unsynced && fsync == Persistence.Fsync.ALWAYS)) {
            return;
        }
        try {
            ByteBuffer bytes = pending.view();
            while (bytes.hasRemaining()) {
                size += channel.write(bytes);
            }
            pending.clear();
            unsynced = true;
            if (fsync == Persistence.Fsync.ALWAYS) {
                channel.force(false);
                unsynced = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the append-only file " + file + ": " + e.getMessage(), e);
        }
    }

    private void syncEverySecond() {
        while (!closed) {
            try {
                Thread.sleep(1000);
                forceIfUnsynced();
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.err.println("[ipc4j-kv] fsync of the append-only file " + file + " failed: " + e.getMessage());
            }
        }
    }

    private synchronized void forceIfUnsynced() throws IOException {
        if (unsynced && channel.isOpen()) {
            channel.force(false);
            unsynced = false;
        }
    }

    /**
     * Starts BGREWRITEAOF: a background thread writes the data as it is now to a temporary file, a chunk at a
     * time under the store lock ({@link SnapshotWalk}), while new commands also go to a buffer; then the buffer
     * is appended and the file replaces the log. Under the store lock.
     *
     * @return false if a rewrite is already running
     */
    synchronized boolean startRewrite(Keyspace keyspace, SnapshotWalk.Store store) {
        if (rewrite != null) {
            return false;
        }
        selectedDb = -1; // the first command logged from now names its database in both files
        rewrite = new AofRewrite(file, keyspace, store, this);
        rewrite.start();
        rewritesStarted++;
        return true;
    }

    /** The rewrite's last step, from its thread: the buffered commands follow, then the file replaces the log. */
    synchronized void finishRewrite(Path written, RespEncoder buffered) throws IOException {
        if (closed) {
            throw new IOException("the server is stopping");
        }
        beforeReplies(); // the old file gets everything logged so far, in case the switch fails
        try (FileChannel out = FileChannel.open(written, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer bytes = buffered.view();
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel.close();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
        sizeAfterRewrite = size;
        unsynced = false;
    }

    synchronized void rewriteEnded(boolean ok) {
        rewrite = null;
        lastRewriteStatus = ok ? "ok" : "err";
    }

    synchronized boolean rewriting() {
        return rewrite != null;
    }

    /** The running rewrite's walk, or null: INFO's progress fields. Under the store lock. */
    synchronized SnapshotWalk rewriteWalk() {
        return rewrite == null ? null : rewrite.walk();
    }

    /** BGREWRITEAOFs started on this file (INFO's aof_rewrites). */
    synchronized long rewritesStarted() {
        return rewritesStarted;
    }

    String lastRewriteStatus() {
        return lastRewriteStatus;
    }

    /** Whether the file has grown enough since its last rewrite to rewrite it (Redis's auto-aof-rewrite). */
    synchronized boolean wantsRewrite() {
        return rewrite == null && size > 64L << 20 && size > 2 * sizeAfterRewrite;
    }

    synchronized long size() {
        return size;
    }

    /**
     * Writes and forces what is pending, and closes the file (the server stops). A rewrite in progress is
     * abandoned first (waiting at most {@value #ABANDON_WAIT_MILLIS} ms for it to end) and its temporary file
     * removed.
     */
    @Override
    public void close() {
        AofRewrite running;
        synchronized (this) {
            closed = true;
            running = rewrite;
        }
        if (running != null) {
            try {
                running.abandon(ABANDON_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                System.err.println("[ipc4j-kv] could not remove the unfinished rewrite beside " + file + ": "
                        + e.getMessage());
            }
        }
        closeFile();
    }

    /** How long {@link #close} waits for an abandoned rewrite to remove its temporary file. */
    static final long ABANDON_WAIT_MILLIS = 2_000;

    private synchronized void closeFile() {
        try {
            beforeReplies();
            channel.force(true);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[ipc4j-kv] could not flush the append-only file " + file + " at shutdown: " + e);
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a failed force: nothing more to do
            }
        }
        if (syncer != null) {
            syncer.interrupt();
        }
    }
}
