package io.ipc4j.cli.chat;

import io.ipc4j.chat.ChatConfig;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import io.ipc4j.socket.UserRuntimeDirectory;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code ipc4j chat join}: the terminal client. On a terminal, JLine keeps the line being typed intact at the
 * bottom while messages arrive above it, with times and colours; without a terminal (a pipe, a file) it
 * reads lines from standard input and prints plain lines, with times and no colours.
 */
@Command(name = "join", mixinStandardHelpOptions = true, description = "Join a chat from this terminal.")
public final class ChatJoin implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--socket", description = "The server's socket (default $XDG_RUNTIME_DIR/ipc4j-chat.sock,"
            + " else /tmp/ipc4j-UID/ipc4j-chat.sock).")
    private Path socket;

    @Option(names = "--allow-uid", paramLabel = "UID", description = "Also accept a server running as this user"
            + " (by default only a server running as you is accepted: another user's could be an impostor).")
    private Integer allowUid;

    @Option(names = "--nick", description = "Your nick (else the server asks).")
    private String nick;

    @Override
    public Integer call() throws Exception {
        Path path = socket != null ? socket : ChatConfig.defaultSocket();
        StreamSocket channel = StreamSocket.connect(UnixEndpoint.path(path), CONNECT_TIMEOUT);
        try {
            checkServerUser(channel, path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        OutputStream out = channel.outputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(channel.inputStream(), StandardCharsets.UTF_8));
        if (nick != null) {
            send(out, nick);
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            boolean interactive = !Terminal.TYPE_DUMB.equals(terminal.getType())
                    && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
            return interactive ? interactive(terminal, in, out) : plain(in, out);
        } finally {
            channel.close();
        }
    }

    /**
     * Refuses a server that runs as another user (SO_PEERCRED), unless {@code --allow-uid} names it: in a shared
     * directory such as /tmp, another user can create the socket first and read everything typed into it.
     */
    private void checkServerUser(StreamSocket channel, Path path) throws IOException {
        int server = channel.peerCredentials().uid();
        int self = UserRuntimeDirectory.currentUid();
        if (server != self && (allowUid == null || allowUid != server)) {
            throw new IOException("the server on " + path + " runs as uid " + server + ", not as you (uid " + self
                    + "): it may be an impostor that reads what you type. If you trust it, pass --allow-uid "
                    + server);
        }
    }

    private int interactive(Terminal terminal, BufferedReader in, OutputStream out) throws IOException {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).build();
        Thread incoming = receive(in, line -> reader.printAbove(styled(line)), () -> {
            reader.printAbove("*** disconnected");
            terminal.raise(Terminal.Signal.INT); // ends the readLine below
        });
        try {
            while (incoming.isAlive()) {
                String line;
                try {
                    line = reader.readLine("> ");
                } catch (UserInterruptException | EndOfFileException e) {
                    break;
                }
                send(out, line);
            }
            send(out, "/quit");
        } catch (IOException e) {
            // the server went away
        }
        return 0;
    }

    private int plain(BufferedReader in, OutputStream out) throws IOException, InterruptedException {
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Thread incoming = receive(in, line -> stdout.println(stamp(line)), () -> stdout.println("*** disconnected"));
        BufferedReader keyboard = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line; (line = keyboard.readLine()) != null; ) {
                send(out, line);
            }
            send(out, "/quit");
        } catch (IOException e) {
            // the server went away
        }
        incoming.join(5_000);
        return 0;
    }

    private static Thread receive(BufferedReader in, Consumer<String> show, Runnable onEnd) {
        return Thread.ofPlatform().daemon().name("chat-receiver").start(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    show.accept(line);
                }
            } catch (IOException e) {
                // closed
            }
            onEnd.run();
        });
    }

    private static String stamp(String line) {
        return line.startsWith("[") ? line : "[" + LocalTime.now().format(TIME) + "] " + line;
    }

    /** Times, and colours for nicks, events and errors. */
    private static org.jline.utils.AttributedString styled(String line) {
        AttributedStringBuilder b = new AttributedStringBuilder();
        String text = stamp(line);
        int close = text.indexOf("] ");
        b.style(AttributedStyle.DEFAULT.faint()).append(text, 0, close + 2);
        String body = text.substring(close + 2);
        AttributedStyle style = body.startsWith("!!!") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)
                : body.startsWith("***") ? AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN)
                : body.startsWith("<") || body.startsWith("*") ? AttributedStyle.DEFAULT.bold()
                : AttributedStyle.DEFAULT;
        b.style(style).append(body);
        return b.toAttributedString();
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
