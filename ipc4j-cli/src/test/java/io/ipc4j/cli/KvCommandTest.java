package io.ipc4j.cli;

import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code ipc4j kv serve} as a user runs it: redis-cli talks to it, TERM stops it and removes the socket. */
class KvCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void servesRedisCliAndStopsCleanlyOnTerm() throws Exception {
        Path socket = LEAKS.scratch().resolve("kv.sock");
        try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "kv", "serve", "--socket", socket.toString(),
                "--mode", "660").start()) {
            server.awaitLine(l -> l.startsWith("ipc4j-kv listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            Process cli = new ProcessBuilder("redis-cli", "-s", socket.toString(), "SET", "from", "redis-cli")
                    .redirectErrorStream(true).start();
            assertEquals("OK", new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            assertEquals(0, cli.waitFor());

            Signals.send(server.pid(), Signal.TERM);

            ChildJvm.Result result = server.finish(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(143, result.status().code(), result.describe());
            assertEquals(List.of("ipc4j-kv listening on " + socket + " (pid " + server.pid() + "); redis-cli -s "
                    + socket, "ipc4j-kv stopped; socket file removed"), result.stdoutLines());
            assertFalse(Files.exists(socket), "TERM removes the socket file");
        }
    }
}
