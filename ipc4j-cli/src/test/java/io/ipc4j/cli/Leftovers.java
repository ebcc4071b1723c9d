package io.ipc4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a benchmark command that makes a work directory and starts servers may leave behind. */
final class Leftovers {
    private Leftovers() {
    }

    /** The work directories in the temporary directory whose names start with {@code prefix}. */
    static List<Path> directories(String prefix) throws IOException {
        try (Stream<Path> listing = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return listing.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    /** Command lines of running processes that mention {@code prefix} (servers started inside such a directory). */
    static List<String> processes(String prefix) throws IOException, InterruptedException {
        Process pgrep = new ProcessBuilder("pgrep", "-af", prefix).start();
        String out = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        pgrep.waitFor();
        List<String> found = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (!line.contains("pgrep")) {
                found.add(line);
            }
        }
        return found;
    }
}
