package io.ipc4j.cli;

import io.ipc4j.signal.Signal;
import io.ipc4j.signal.Signals;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ipc4j chat serve --group} and {@code ipc4j chat log}, as a user runs them. */
class ChatCommandTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void serveWithGroupAccessThenPrintTheLog() throws Exception {
        Path socket = LEAKS.scratch().resolve("chat.sock");
        Path log = LEAKS.scratch().resolve("log");
        try {
            try (ChildJvm.Running server = ChildJvm.of(Ipc4j.class, "chat", "serve", "--socket", socket.toString(),
                    "--log", log.toString(), "--group").start()) {
                server.awaitLine(l -> l.startsWith("ipc4j-chat listening on " + socket), ChildJvm.DEFAULT_TIMEOUT);
                assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
                try (SocketChannel a = open(socket); SocketChannel b = open(socket)) {
                    BufferedReader bIn = new BufferedReader(new InputStreamReader(Channels.newInputStream(b),
                            StandardCharsets.UTF_8));
                    write(a, "ann\n");
                    write(b, "ben\n");
                    awaitLine(bIn, "*** you are ben");
                    write(a, "first\n/me laughs\nsecond\n");
                    assertEquals("<ann> second", awaitLine(bIn, "<ann> second"));
                }
                Signals.send(server.pid(), Signal.TERM);
                assertEquals(143, server.finish(ChildJvm.DEFAULT_TIMEOUT).status().code());
                assertFalse(Files.exists(socket));
            }
            ChildJvm.Result printed = ChildJvm.of(Ipc4j.class, "chat", "log", log.toString())
                    .run(ChildJvm.DEFAULT_TIMEOUT);
            assertEquals(0, printed.status().code(), printed.describe());
            List<String> lines = printed.stdoutLines();
            assertEquals(3, lines.size(), printed.describe());
            assertTrue(lines.get(0).matches("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d] <ann> first"), lines.get(0));
            assertTrue(lines.get(1).endsWith("] * ann laughs"), lines.get(1));
            assertTrue(lines.get(2).endsWith("] <ann> second"), lines.get(2));
        } finally {
            try (Stream<Path> files = Files.walk(log)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static SocketChannel open(Path socket) throws java.io.IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void write(SocketChannel ch, String text) throws java.io.IOException {
        ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String awaitLine(BufferedReader in, String prefix) throws java.io.IOException {
        for (String l; (l = in.readLine()) != null; ) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new java.io.EOFException("closed before " + prefix);
    }
}
