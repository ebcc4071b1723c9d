package io.ipc4j.chat;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up runs a private server to the end and leaves no file, socket or descriptor behind. */
class ChatWarmUpTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void warmsUpThroughAPrivateServerAndLeavesNothing() throws Exception {
        long descriptors = openDescriptors();
        Duration took = ChatWarmUp.run(20_000);
        assertTrue(took.toNanos() > 0);
        assertEquals(descriptors, openDescriptors(), "descriptors before and after");
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(0, tmp.filter(p -> p.getFileName().toString().startsWith("ipc4j-chat-warm-up-")).count(),
                    "the private server's directory is removed");
        }
    }

    private static long openDescriptors() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
