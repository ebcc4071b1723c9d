package io.ipc4j.socket;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A Unix domain socket address: a path in the file system, or a name in Linux's abstract namespace.
 *
 * <p>A path address is a socket file: its permissions decide who may connect, and it stays behind when the
 * server dies (ipc4j's {@link SocketServer} replaces such stale files and removes its own on close).
 * An abstract name ({@code @name} in ss(8) and /proc/net/unix) has no file: it vanishes with the last
 * socket bound to it, so nothing can be left behind, but anyone in the same network namespace may connect.
 *
 * <p>sun_path has 108 bytes, so a path may have at most 107 bytes (UTF-8) and an abstract name 107; a
 * longer one is refused here, with that advice, rather than cut.
 */
public final class UnixEndpoint implements Endpoint {
    /** Longest path or abstract name, in bytes. */
    public static final int MAX_BYTES = 107;

    private final byte[] bytes;
    private final boolean isAbstract;

    private UnixEndpoint(byte[] bytes, boolean isAbstract) {
        this.bytes = bytes;
        this.isAbstract = isAbstract;
    }

    /**
     * The socket file at {@code path}.
     *
     * @param path the file system path
     * @return the socket file at {@code path}
     */
    public static UnixEndpoint path(Path path) {
        String text = Objects.requireNonNull(path, "path").toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a socket path: '" + text + "'");
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("socket path is " + bytes.length + " bytes, but sun_path holds at most "
                    + MAX_BYTES + ": " + text + ": use a shorter path (a directory closer to /) or an abstract name");
        }
        return new UnixEndpoint(bytes, false);
    }

    /**
     * The socket file at {@code path}.
     *
     * @param path the file system path
     * @return the socket file at {@code path}
     */
    public static UnixEndpoint path(String path) {
        return path(Path.of(path));
    }

    /**
     * The name {@code name} in Linux's abstract namespace (no file; any bytes but at most 107 of them).
     *
     * @param name its name
     * @return the name {@code name} in Linux's abstract namespace
     */
    public static UnixEndpoint abstractName(String name) {
        byte[] bytes = Objects.requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("abstract socket name must be 1 to " + MAX_BYTES + " bytes, not "
                    + bytes.length);
        }
        return new UnixEndpoint(bytes, true);
    }

    static UnixEndpoint ofRaw(byte[] bytes, boolean isAbstract) {
        return new UnixEndpoint(bytes, isAbstract);
    }

    /**
     * Whether this is an abstract name (no file).
     *
     * @return whether this is an abstract name
     */
    public boolean isAbstract() {
        return isAbstract;
    }

    /**
     * The socket file, for a path address.
     *
     * @return the socket file, for a path address
     */
    public Optional<Path> file() {
        return isAbstract ? Optional.empty() : Optional.of(Path.of(text()));
    }

    /**
     * The path, or the abstract name without the leading NUL.
     *
     * @return the path, or the abstract name without the leading NUL
     */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] bytes() {
        return bytes;
    }

    /** The path, or {@code @name} for an abstract name (as ss(8) shows it). */
    @Override
    public String toString() {
        return isAbstract ? "@" + text() : text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixEndpoint u && u.isAbstract == isAbstract && Arrays.equals(u.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + (isAbstract ? 1 : 0);
    }
}
