package io.ipc4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A world-readable copy of the class path, for a child that runs as another user. */
final class ReadableClassPath {
    private ReadableClassPath() {
    }

    /** Copies the entries of the {@code -cp} argument in {@code command} and points it at the copies. */
    static Path copyInto(List<String> command) throws IOException {
        int index = command.indexOf("-cp") + 1;
        if (index == 0) {
            throw new IllegalStateException("no -cp in " + command);
        }
        Path root = Files.createTempDirectory(Path.of("/tmp"), "ipc4j-classpath-");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> copies = new ArrayList<>();
        int n = 0;
        for (String entry : command.get(index).split(java.io.File.pathSeparator)) {
            Path source = Path.of(entry);
            Path target = root.resolve(n++ + (Files.isDirectory(source) ? "" : ".jar"));
            if (Files.isDirectory(source)) {
                copyTree(source, target);
            } else if (Files.isRegularFile(source)) {
                Files.copy(source, target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            } else {
                continue;
            }
            copies.add(target.toString());
        }
        command.set(index, String.join(java.io.File.pathSeparator, copies));
        return root;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                Files.copy(file, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString(
                        Files.isDirectory(copy) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    static void delete(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
