package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binding to an endpoint, with the care a socket file needs: its mode from the first instant, a stale file
 * left by a dead process replaced, a live socket never taken over, and only our own file removed on close.
 */
final class SocketFiles {
    /** Owner read and write: only the same user may connect. */
    static final int DEFAULT_MODE = 0600;

    /** A socket file this process created: its path and inode, to remove it only if it is still ours. */
    record OwnedFile(Path path, Object inode) {
    }

    private SocketFiles() {
    }

    /**
     * Binds {@code fd} to {@code endpoint} and, when {@code backlog} &gt; 0, listens.
     *
     * @return the socket file made, or null for abstract names and IP endpoints.
     */
    static OwnedFile bind(int fd, Endpoint endpoint, int type, int mode, int backlog) throws IOException {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("socket file mode must be permission bits (0 to 0777), not 0"
                    + Integer.toOctalString(mode));
        }
        boolean file = endpoint instanceof UnixEndpoint u && !u.isAbstract();
        if (file) {
            // bind(2) gives the file the socket inode's mode less the umask: set it first, so there is no
            // moment when the file is more open than asked
            check(SocketCalls.fchmod(fd, mode), "fchmod", endpoint);
        } else if (endpoint instanceof InetEndpoint) {
            check(SocketCalls.setIntOption(fd, SocketCalls.SOL_SOCKET, SocketCalls.SO_REUSEADDR, 1),
                    "setsockopt(SO_REUSEADDR)", endpoint);
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int length = Addresses.encode(endpoint, address);
            int r = SocketCalls.bind(fd, address, length);
            if (r == -Errno.EADDRINUSE && file && replaceIfStale(((UnixEndpoint) endpoint), type)) {
                r = SocketCalls.bind(fd, address, length);
            }
            if (r < 0) {
                throw Failures.of("bind", endpoint.toString(), -r, bindAdvice(-r, endpoint));
            }
        }
        // listen at once: between bind (the file appears) and listen, a client that found the file is refused
        int listened = backlog > 0 ? SocketCalls.listen(fd, backlog) : 0;
        OwnedFile owned = null;
        if (file) {
            Path path = ((UnixEndpoint) endpoint).file().orElseThrow();
            owned = new OwnedFile(path, inode(path));
            if (listened == 0) {
                try {
                    Failures.check(FileCalls.chmod(path.toString(), mode), "chmod", path); // the umask may have taken bits: only less open till now
                } catch (IOException | RuntimeException e) {
                    removeIfOurs(owned);
                    throw e;
                }
            }
        }
        if (listened < 0) {
            removeIfOurs(owned);
            throw Failures.of("listen", endpoint.toString(), -listened);
        }
        return owned;
    }

    /**
     * Whether the file at {@code endpoint} was a stale socket (no process bound to it), now removed. A live
     * socket, or a file that is not a socket, is left alone and reported by the caller's bind failure.
     */
    static boolean replaceIfStale(UnixEndpoint endpoint, int type) throws IOException {
        Path path = endpoint.file().orElseThrow();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return true; // removed meanwhile: try again
        }
        if (!isSocket(path)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "exists and is not a socket: ipc4j replaces only stale socket files; remove it or pick another path");
        }
        Object before = inode(path);
        int probe = SocketCalls.socket(SocketCalls.AF_UNIX, type);
        if (probe < 0) {
            throw Failures.of("socket", "probe of " + endpoint, -probe);
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment address = local.allocate(SocketCalls.SOCKADDR_STORAGE, 8);
            int r = SocketCalls.connect(probe, address, Addresses.encode(endpoint, address));
            if (r != -Errno.ECONNREFUSED) {
                return false; // someone is bound there (connected, backlog full, or another socket type)
            }
        } finally {
            FileCalls.closeQuietly(probe);
        }
        if (Objects.equals(before, inode(path))) { // not replaced by a new server since the probe
            Files.deleteIfExists(path);
        }
        return true;
    }

    static String bindAdvice(int errno, Endpoint endpoint) {
        return switch (errno) {
            case Errno.EADDRINUSE -> endpoint instanceof UnixEndpoint u
                    ? (u.isAbstract() ? "a live socket already has this abstract name"
                    : "a live socket is bound there: another server is running; ipc4j never takes over a live socket")
                    : "the port is in use: pick another, or 0 for any free one";
            case Errno.ENOENT -> "the directory " + (endpoint instanceof UnixEndpoint u && u.file().isPresent()
                    && u.file().get().getParent() != null ? u.file().get().getParent() + " " : "")
                    + "does not exist; create it, or choose another path";
            case Errno.EACCES -> "this user may not create files in that directory";
            default -> null;
        };
    }

    /** Removes the socket file if it is still the one this process made (same inode). */
    static void removeIfOurs(OwnedFile owned) {
        if (owned == null) {
            return;
        }
        try {
            if (Objects.equals(owned.inode(), inode(owned.path()))) {
                Files.deleteIfExists(owned.path());
            }
        } catch (IOException e) {
            // gone already, or its directory is: nothing of ours to remove
        }
    }

    private static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }

    static Object inode(Path path) throws IOException {
        try {
            return Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    private static void check(int result, String call, Endpoint endpoint) throws IOException {
        if (result < 0) {
            throw Failures.of(call, endpoint.toString(), -result);
        }
    }
}
