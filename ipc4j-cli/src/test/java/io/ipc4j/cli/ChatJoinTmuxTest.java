package io.ipc4j.cli;

import io.ipc4j.chat.ChatConfig;
import io.ipc4j.chat.ChatServer;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interactive chat client driven in a real terminal: tmux send-keys and capture-pane. */
class ChatJoinTmuxTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    @Test
    void incomingMessagesPrintAboveTheLineBeingTypedWithTimes() throws Exception {
        Path socket = LEAKS.scratch().resolve("chat.sock");
        Path log = LEAKS.scratch().resolve("log");
        String session = "ipc4j-test-" + ProcessHandle.current().pid();
        try (ChatServer server = ChatServer.start(ChatConfig.defaults(socket, log));
             SocketChannel bob = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            bob.connect(UnixDomainSocketAddress.of(server.socket()));
            BufferedReader bobIn = new BufferedReader(new InputStreamReader(Channels.newInputStream(bob),
                    StandardCharsets.UTF_8));
            write(bob, "bob");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String command = String.join(" ", java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), Ipc4j.class.getName(), "chat", "join", "--socket",
                    socket.toString(), "--nick", "alice");
            tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "20", command);
            try {
                awaitPane(session, p -> p.contains("*** you are alice"));
                awaitLine(bobIn, "*** alice (uid ");
                tmux("send-keys", "-t", session, "hel");
                awaitPane(session, p -> lastLine(p).equals("> hel"));
                write(bob, "hi alice, how are you?");
                String pane = awaitPane(session, p -> p.contains("<bob> hi alice, how are you?"));
                assertEquals("> hel", lastLine(pane), "the half-typed line stays intact:\n" + pane);
                assertTrue(pane.lines().anyMatch(l -> l.matches("\\[\\d\\d:\\d\\d:\\d\\d] <bob> hi alice, how are you\\?")),
                        "incoming lines carry the time:\n" + pane);
                tmux("send-keys", "-t", session, "lo", "Enter");
                assertEquals("<alice> hello", awaitLine(bobIn, "<alice>"));
                tmux("send-keys", "-t", session, "C-d");
                assertEquals("*** alice left", awaitLine(bobIn, "*** alice left"));
            } finally {
                killSession(session);
            }
        } finally {
            try (Stream<Path> files = Files.walk(log)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String lastLine(String pane) {
        List<String> lines = pane.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.getLast().stripTrailing();
    }

    private static void write(SocketChannel ch, String line) throws IOException {
        ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String awaitLine(BufferedReader in, String prefix) throws IOException {
        for (String l; (l = in.readLine()) != null; ) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new IOException("connection closed before a line starting with " + prefix);
    }

    private static String awaitPane(String session, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String pane = "";
        while (System.nanoTime() < deadline) {
            pane = tmux("capture-pane", "-p", "-t", session);
            if (wanted.test(pane)) {
                return pane;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the pane never showed what was expected:\n" + pane);
    }

    /**
     * Ends the session if it is still there. After C-d the join exits, its session ends, and the tmux server
     * with it: then kill-session finds nothing to kill, and says so in more than one way ("no server running",
     * "can't find session", "server exited unexpectedly" when it connects as the server goes), at random. So a
     * failed kill is checked with has-session: only a session still there is an error, which must not replace
     * the test's own outcome otherwise.
     */
    private static void killSession(String session) throws IOException, InterruptedException {
        try {
            tmux("kill-session", "-t", session);
        } catch (IOException e) {
            if (sessionExists(session)) {
                throw e;
            }
        }
    }

    private static boolean sessionExists(String session) throws IOException, InterruptedException {
        try {
            tmux("has-session", "-t", session);
            return true;
        } catch (IOException gone) {
            return false;
        }
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("tmux"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
        return out;
    }
}
