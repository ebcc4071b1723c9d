package io.ipc4j.chat;

import io.ipc4j.socket.UserRuntimeDirectory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A directory only its owner (and, when asked, its group) may enter: created with exactly that mode whatever
 * the umask, or checked if it exists. Only the last level is created: a mistyped path must not make a tree.
 */
final class PrivateDirectory {
    private PrivateDirectory() {
    }

    /**
     * Creates {@code dir} (mode 0700, or 0750 with {@code group}) if missing, else checks that it is a
     * directory of this user's, no more open than that.
     *
     * @param what       what it is, for messages ("chat log directory").
     * @param groupFlag  the option that allows group access, for the message that suggests it.
     */
    static void prepare(Path dir, boolean group, String what, String groupFlag) throws IOException {
        Set<PosixFilePermission> allowed = PosixFilePermissions.fromString(group ? "rwxr-x---" : "rwx------");
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (parent != null && !Files.isDirectory(parent)) {
                throw new NoSuchFileException(absolute.toString(), null, "cannot create the " + what + ": its"
                        + " parent " + parent + " does not exist. Create the parent first (mkdir -p " + parent
                        + "); only the " + what + " itself is created");
            }
            try { // no moment more open than allowed: the umask can only take more away; then set exactly
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(allowed));
                Files.setPosixFilePermissions(dir, allowed);
                return;
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile: checked below like any existing one
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the " + what + " " + absolute + " is not a directory (or is a link): give a"
                    + " directory path");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int uid = UserRuntimeDirectory.currentUid();
        if (owner != uid) {
            throw new IOException("the " + what + " " + absolute + " belongs to uid " + owner + ", not to you (uid " + uid
                    + "): use a directory of your own");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!allowed.containsAll(mode)) {
            throw new IOException("the " + what + " " + absolute + " has mode " + PosixFilePermissions.toString(mode)
                    + ", open to other users, who could read it: chmod " + (group ? "750" : "700") + " " + absolute
                    + (group ? "" : " (or 750 with " + groupFlag + " to let the group read it)"));
        }
    }
}
