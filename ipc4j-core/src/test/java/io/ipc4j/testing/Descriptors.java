package io.ipc4j.testing;

import io.ipc4j.internal.posix.OpenDescriptors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What descriptors this JVM has open, to show that a failing call leaked none. */
public final class Descriptors {
    private Descriptors() {
    }

    /** Open descriptor -&gt; what it refers to, from /proc/self/fd (minus the listing's own descriptor). */
    public static Map<Integer, String> open() {
        Map<Integer, String> open = new TreeMap<>();
        List<Integer> numbers = OpenDescriptors.list();
        for (int fd : numbers) {
            try {
                open.put(fd, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
            } catch (java.io.IOException e) {
                // The listing's own descriptor, closed by now.
            }
        }
        return open;
    }
}
