package io.ipc4j.internal.proc;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Reading /proc files, /proc/sys values among them. Not with Files.readString: /proc files report size 0 and
 * some answer only the first read, so the JDK's size-guided read returns a single byte ("1" for 10).
 */
public final class Sysctl {
    private Sysctl() {
    }

    /** The file's whole text (UTF-8), as it is; empty if it cannot be read. */
    public static java.util.Optional<String> readText(String path) {
        try (FileInputStream in = new FileInputStream(path)) {
            return java.util.Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The file's text, trimmed; empty if it cannot be read. */
    public static java.util.Optional<String> read(String path) {
        return readText(path).map(String::strip);
    }

    /** The file's first number; empty if it cannot be read. */
    public static OptionalLong readLong(String path) {
        return read(path).map(text -> OptionalLong.of(Long.parseLong(text.split("\\s+")[0])))
                .orElse(OptionalLong.empty());
    }
}
