package io.ipc4j.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** Empties a test's scratch directory of the logs it wrote, whatever modes a test left on them. */
final class ScratchFiles {
    private ScratchFiles() {
    }

    static void deleteContents(Path scratch) throws IOException {
        try (Stream<Path> files = Files.walk(scratch)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(scratch)) {
                    Files.setPosixFilePermissions(p.getParent(), PosixFilePermissions.fromString("rwx------"));
                    Files.delete(p);
                }
            }
        }
    }
}
