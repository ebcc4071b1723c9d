package io.ipc4j.kv;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how ipc4j-kv keeps its data across restarts: an append-only file in Redis's AOF format (every
 * write command in RESP, as redis-check-aof reads it), named {@code appendonly.aof} in {@code dir}; without
 * it, an RDB snapshot {@code dump.rdb} in {@code dir} (Redis's format) is loaded at start if there is one.
 *
 * @param appendOnly whether writes are logged and the log is replayed on start (Redis's appendonly)
 * @param fsync      when the log reaches the disk (Redis's appendfsync)
 * @param dir        the directory of the log (Redis's dir)
 */
public record Persistence(boolean appendOnly, Fsync fsync, Path dir) {
    /** The log's file name in {@link #dir()}. */
    public static final String FILE_NAME = "appendonly.aof";
    /** The RDB snapshot's file name in {@link #dir()} (Redis's dbfilename). */
    public static final String SNAPSHOT_NAME = "dump.rdb";

    /** When the log is forced to the disk. */
    public enum Fsync {
        /** Before any reply to a write is sent: an acknowledged write survives a power cut. */
        ALWAYS,
        /**
         * Once a second, in the background. Logged writes are handed to the kernel before their replies go
         * out, so a killed server loses nothing; a machine that loses power loses up to about a second.
         */
        EVERYSEC,
        /** When the kernel chooses; as EVERYSEC for a killed server. */
        NO;

        /**
         * Parses Redis's names.
         *
         * @param name always, everysec or no (any case)
         * @return the policy
         * @throws IllegalArgumentException for another name
         */
        public static Fsync parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "always" -> ALWAYS;
                case "everysec" -> EVERYSEC;
                case "no" -> NO;
                default -> throw new IllegalArgumentException("appendfsync must be always, everysec or no, not "
                        + name);
            };
        }

        /** Redis's name. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks the values. */
    public Persistence {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(dir, "dir");
    }

    /**
     * No log (Redis's default): the data lives as long as the server.
     *
     * @return persistence off, everysec, in the working directory
     */
    public static Persistence none() {
        return new Persistence(false, Fsync.EVERYSEC, Path.of(System.getProperty("user.dir")));
    }

    /**
     * The log file.
     *
     * @return {@code dir/appendonly.aof}
     */
    public Path file() {
        return dir.resolve(FILE_NAME);
    }

    /**
     * The RDB snapshot, loaded at start when there is no log (as Redis does).
     *
     * @return {@code dir/dump.rdb}
     */
    public Path snapshot() {
        return dir.resolve(SNAPSHOT_NAME);
    }
}
