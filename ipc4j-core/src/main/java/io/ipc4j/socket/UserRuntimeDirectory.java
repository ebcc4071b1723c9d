package io.ipc4j.socket;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The directory where this user's default socket files go: {@code $XDG_RUNTIME_DIR} when set, else
 * {@code /tmp/ipc4j-UID}, created with mode 0700. Either is used only when it is a real directory (not a
 * link) owned by this user and closed to everyone else; otherwise another local user could have created it
 * first and put an impostor's socket in it, so it is refused with the reason and what to do.
 */
public final class UserRuntimeDirectory {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private UserRuntimeDirectory() {
    }

    /**
     * The directory, created if it is the /tmp fallback and missing; verified either way.
     *
     * @return the directory, created if it is the /tmp fallback and missing
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Path get() throws IOException {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return verified(Path.of(runtime), "XDG_RUNTIME_DIR");
        }
        int uid = currentUid();
        Path fallback = Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "ipc4j-" + uid);
        try {
            // created with no access for others (the umask can only take more away), then set exactly
            Files.createDirectory(fallback, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.setPosixFilePermissions(fallback, OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            // verified below: it may be ours from an earlier run, or someone else's
        }
        return verified(fallback, "the per-user directory");
    }

    /** {@code dir}, if it is a directory (not a link), owned by this user, with no access for others. */
    static Path verified(Path dir, String what) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(what + " " + dir + " does not exist: create it (mode 0700) or unset"
                    + " XDG_RUNTIME_DIR", e);
        }
        int uid = currentUid();
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IOException(what + " " + dir + " is not a directory (a link or a file): someone may have"
                    + " put it there to catch your sockets; remove it, or pass an explicit socket path");
        }
        if (owner != uid) {
            throw new IOException(what + " " + dir + " belongs to uid " + owner + ", not to you (uid " + uid
                    + "): another user may have created it to catch your sockets; remove it, or pass an"
                    + " explicit socket path");
        }
        Set<PosixFilePermission> perms = a.permissions();
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IOException(what + " " + dir + " has mode " + PosixFilePermissions.toString(perms)
                    + ", open to other users: chmod 700 " + dir);
        }
        return dir;
    }

    /**
     * This process's effective uid (the owner of files it creates).
     *
     * @return this process's effective uid
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
