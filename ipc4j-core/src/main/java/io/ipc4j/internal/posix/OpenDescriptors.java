package io.ipc4j.internal.posix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The descriptors this process has open, from /proc/self/fd. */
public final class OpenDescriptors {
    private OpenDescriptors() {
    }

    /** The open descriptor numbers, ascending (including the one used to list them, now closed). */
    public static List<Integer> list() {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd", e);
        }
    }
}
