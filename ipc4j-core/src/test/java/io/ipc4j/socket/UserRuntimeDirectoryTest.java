package io.ipc4j.socket;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** #16.5: the per-user directory for default socket paths is refused unless it is really the user's own. */
class UserRuntimeDirectoryTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void onlyADirectoryOfOursClosedToOthersIsAccepted() throws Exception {
        Path dir = LEAKS.scratch().resolve("run");
        Path link = LEAKS.scratch().resolve("link");
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            assertEquals(dir, UserRuntimeDirectory.verified(dir, "the per-user directory"));

            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            IOException open = assertThrows(IOException.class, () -> UserRuntimeDirectory.verified(dir, "the dir"));
            assertEquals("the dir " + dir + " has mode rwxr-xr-x, open to other users: chmod 700 " + dir,
                    open.getMessage());
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));

            Files.createSymbolicLink(link, dir);
            IOException linked = assertThrows(IOException.class, () -> UserRuntimeDirectory.verified(link, "the dir"));
            assertTrue(linked.getMessage().startsWith("the dir " + link + " is not a directory (a link or a file)"),
                    linked.getMessage());

            if (UserRuntimeDirectory.currentUid() == 0) {
                Files.setAttribute(dir, "unix:uid", 65534); // as another user would have made it first
                IOException squatted = assertThrows(IOException.class,
                        () -> UserRuntimeDirectory.verified(dir, "the dir"));
                assertTrue(squatted.getMessage().startsWith("the dir " + dir + " belongs to uid 65534, not to you"
                        + " (uid 0): another user may have created it"), squatted.getMessage());
            }
        } finally {
            Files.deleteIfExists(link);
            Files.delete(dir);
        }
    }
}
