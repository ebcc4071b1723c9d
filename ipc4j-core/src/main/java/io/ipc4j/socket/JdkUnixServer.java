package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * A JDK {@link ServerSocketChannel} on a Unix socket file, bound with the care {@link SocketServer} takes:
 * the file has its mode (default 0600) from the moment clients can find it, a stale file left by a dead
 * server is replaced, a live server's is never taken, and {@link #close()} removes the file if it is still
 * this server's. Use it where NIO selectors are wanted (thousands of connections on a few threads).
 *
 * <p>How, without the socket's descriptor: the channel binds inside a fresh directory only this user can
 * enter, the file gets its mode there, and then it is hard-linked to its real path, which fails rather than
 * replaces if something is there. The private directory is removed at once.
 *
 * <p>{@link #peerCredentials} gives the pid, uid and gid of a JDK channel's peer (the JDK itself gives
 * only user and group names). It needs the channel's descriptor, which the JDK keeps in an internal
 * package: run with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (or {@code =io.ipc4j} on the
 * module path). Without it, it throws {@link UnsupportedOperationException} saying so.
 */
public final class JdkUnixServer implements AutoCloseable {
    private static final Optional<MethodHandle> FD_VAL = findFdVal();

    private final ServerSocketChannel channel;
    private final SocketFiles.OwnedFile file;

    private JdkUnixServer(ServerSocketChannel channel, SocketFiles.OwnedFile file) {
        this.channel = channel;
        this.file = file;
    }

    /**
     * Binds a blocking server channel at {@code path} with mode 0600.
     *
     * @param path the file system path
     * @return the {@code JdkUnixServer}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static JdkUnixServer bind(Path path) throws IOException {
        return bind(path, SocketFiles.DEFAULT_MODE, SocketServer.DEFAULT_BACKLOG);
    }

    /**
     * Binds a server channel at {@code path}.
     *
     * @param path the file system path
     * @param mode    the socket file's permission bits (0600, 0660, ...).
     * @param backlog connections queued before accept.
     * @return the {@code JdkUnixServer}
     * @throws io.ipc4j.ErrnoException EADDRINUSE if a live server is there.
     * @throws FileAlreadyExistsException if something that is not a socket is there.
     */
    public static JdkUnixServer bind(Path path, int mode, int backlog) throws IOException {
        Path target = path.toAbsolutePath();
        UnixEndpoint endpoint = UnixEndpoint.path(target);
        if (!Files.isDirectory(target.getParent())) {
            throw new java.nio.file.NoSuchFileException(target.toString(), null, "cannot bind a socket there: the"
                    + " directory " + target.getParent() + " does not exist; create it, or choose another path");
        }
        Path privateDir;
        try {
            privateDir = Files.createTempDirectory(target.getParent(), ".ipc4j-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.AccessDeniedException e) {
            throw new java.nio.file.AccessDeniedException(target.toString(), null, "cannot bind a socket there: no"
                    + " permission to create files in " + target.getParent());
        }
        Path staging = privateDir.resolve("s");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            UnixEndpoint.path(staging); // a clear error if the staging path is too long for sun_path
            channel.bind(UnixDomainSocketAddress.of(staging), backlog);
            Failures.check(FileCalls.chmod(staging.toString(), mode), "chmod", staging);
            publish(staging, endpoint);
            return new JdkUnixServer(channel, new SocketFiles.OwnedFile(target, SocketFiles.inode(target)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } finally {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(privateDir);
        }
    }

    private static void publish(Path staging, UnixEndpoint endpoint) throws IOException {
        Path target = endpoint.file().orElseThrow();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.createLink(target, staging);
                return;
            } catch (FileAlreadyExistsException e) {
                if (!SocketFiles.replaceIfStale(endpoint, SocketCalls.SOCK_STREAM)) {
                    throw Failures.of("link", target.toString(), Errno.EADDRINUSE,
                            SocketFiles.bindAdvice(Errno.EADDRINUSE, endpoint));
                }
            }
        }
        throw Failures.of("link", target.toString(), Errno.EEXIST, "a new file appeared there twice while binding");
    }

    /**
     * The bound channel (blocking; configure it non-blocking for a selector).
     *
     * @return the bound channel
     */
    public ServerSocketChannel channel() {
        return channel;
    }

    /**
     * The socket file.
     *
     * @return the socket file
     */
    public Path path() {
        return file.path();
    }

    /** Closes the channel and removes the socket file if it is still this server's. */
    @Override
    public void close() throws IOException {
        SocketFiles.removeIfOurs(file);
        channel.close();
    }

    /**
     * The pid, uid and gid of the process at the other end of a connected JDK Unix domain channel.
     *
     * @param channel the channel
     * @return the pid, uid and gid of the process at the other end of a connected JDK Unix domain channel
     * @throws UnsupportedOperationException if the JVM does not export sun.nio.ch to ipc4j (see the class).
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static PeerCredentials peerCredentials(Channel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        return PeerCredentials.read(descriptorOf(channel), channel.toString());
    }

    /**
     * Whether {@link #peerCredentials} can work in this JVM.
     *
     * @return whether {@link #peerCredentials} can work in this JVM
     */
    public static boolean canReadPeerCredentials() {
        return FD_VAL.isPresent();
    }

    private static int descriptorOf(Channel channel) {
        MethodHandle fdVal = FD_VAL.orElseThrow(() -> new UnsupportedOperationException("the pid of a JDK"
                + " channel's peer needs its descriptor: run the JVM with --add-exports"
                + " java.base/sun.nio.ch=ALL-UNNAMED (or =io.ipc4j on the module path), or use ipc4j's own"
                + " SocketServer/StreamSocket, which need nothing"));
        try {
            return (int) fdVal.invoke(channel);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("not a JDK socket channel: " + channel, e);
        } catch (Throwable t) {
            throw new IllegalStateException("reading the descriptor of " + channel, t);
        }
    }

    private static Optional<MethodHandle> findFdVal() {
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            if (!selChImpl.getModule().isExported("sun.nio.ch", JdkUnixServer.class.getModule())) {
                return Optional.empty();
            }
            // our own lookup: publicLookup sees only packages exported to everyone
            return Optional.of(MethodHandles.lookup().findVirtual(selChImpl, "getFDVal",
                    MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, Channel.class)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
