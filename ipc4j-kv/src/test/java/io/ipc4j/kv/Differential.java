package io.ipc4j.kv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a workload script against one server and records what each line got back, for comparing two
 * servers line by line. A line is a command in redis-cli's inline syntax, with an optional mark:
 * <ul>
 *   <li>none: the reply is compared exactly; {@code ~}: its elements in any order, at every level (sets, hashes);
 *       {@code ?}: its type and size only (random picks); {@code !}: whether it is an error, not the text
 *       (where ipc4j-kv says more than Redis on purpose);</li>
 *   <li>{@code &}: sent without waiting for the reply (a blocking command), read later by {@code @read};</li>
 *   <li>{@code @client N}: later lines go over connection N (each made on first use);
 *       {@code @read}: reads the current connection's next reply (a served blocking call, a message);
 *       {@code @await-blocked N}: waits (10 s at most) until N clients are blocked;
 *       {@code @raw BYTES}: sends bytes as written (with \r, \n and \xHH escapes) and reads one reply;
 *       {@code @closed}: sends PING and records "closed" if the server has closed the connection, else the
 *       reply.</li>
 * </ul>
 * {@code #} starts a comment line.
 */
final class Differential implements AutoCloseable {
    /** One line's outcome: the line, its number, and what was recorded (null for lines that record nothing). */
    record Outcome(int line, String text, String recorded) {
    }

    private final Path socket;
    private final Map<Integer, Connection> connections = new HashMap<>();
    private final Map<Integer, List<Character>> pendingMarks = new HashMap<>();
    private Connection current;
    private int currentId;

    Differential(Path socket) {
        this.socket = socket;
    }

    List<Outcome> run(List<String> script) throws IOException, InterruptedException {
        List<Outcome> out = new ArrayList<>();
        use(1);
        for (int n = 0; n < script.size(); n++) {
            String line = script.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            out.add(new Outcome(n + 1, line, step(line)));
        }
        return out;
    }

    private String step(String line) throws IOException, InterruptedException {
        if (line.startsWith("@client ")) {
            use(Integer.parseInt(line.substring(8).strip()));
            return null;
        }
        if (line.equals("@read")) {
            List<Character> marks = pendingMarks.getOrDefault(currentId, new ArrayList<>());
            char mark = marks.isEmpty() ? ' ' : marks.removeFirst(); // a message comes unasked
            return present(mark, current.reader.read());
        }
        if (line.startsWith("@raw ")) {
            current.out.write(unescape(line.substring(5)));
            return current.reader.read().render();
        }
        if (line.equals("@closed")) {
            try {
                current.send(words("PING"));
                return current.reader.read().render();
            } catch (IOException closed) {
                return "closed";
            }
        }
        if (line.startsWith("@await-blocked ")) {
            awaitBlocked(Integer.parseInt(line.substring(15).strip()));
            return null;
        }
        char mark = "~?!&".indexOf(line.charAt(0)) >= 0 ? line.charAt(0) : ' ';
        String command = mark == ' ' ? line : line.substring(1).strip();
        current.send(words(command));
        if (mark == '&') {
            pendingMarks.computeIfAbsent(currentId, k -> new ArrayList<>()).add(' ');
            return null;
        }
        return present(mark, current.reader.read());
    }

    private static String present(char mark, RespReader.Node reply) {
        return switch (mark) {
            case '~' -> reply.render(true);
            case '?' -> reply.shape();
            case '!' -> reply.isError() ? "(an error)" : "(not an error)";
            default -> reply.render();
        };
    }

    private void awaitBlocked(int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        try (Connection control = new Connection(socket)) {
            while (true) {
                control.send(words("INFO clients"));
                String info = control.reader.read().render();
                if (info.contains("blocked_clients:" + n + "\\x0d")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("not " + n + " blocked clients after 10 s: " + info);
                }
                Thread.sleep(5);
            }
        }
    }

    private void use(int id) throws IOException {
        currentId = id;
        current = connections.get(id);
        if (current == null) {
            current = new Connection(socket);
            connections.put(id, current);
        }
    }

    private static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\' && i + 1 < text.length()) {
                char e = text.charAt(++i);
                switch (e) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case 'x' -> {
                        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> out.write(e);
                }
            } else {
                out.write(ch);
            }
        }
        return out.toByteArray();
    }

    /** Splits a line as redis-cli and inline requests do (quotes, \x escapes). */
    static List<byte[]> words(String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try {
            return InlineSplitter.split(ByteBuffer.wrap(bytes), 0, bytes.length);
        } catch (RespParser.ProtocolException e) {
            throw new IOException("bad script line: " + line, e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Connection c : connections.values()) {
            c.close();
        }
    }

    /** A {@link Resp} connection read with {@link RespReader}, which knows every RESP3 type. */
    private static final class Connection implements AutoCloseable {
        final Resp resp;
        final RespReader reader;
        final OutputStream out;

        Connection(Path socket) throws IOException {
            resp = new Resp(socket);
            reader = new RespReader(resp.in);
            out = resp.out;
        }

        void send(List<byte[]> words) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + words.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] w : words) {
                b.writeBytes(("$" + w.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(w);
                b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(b.toByteArray());
        }

        @Override
        public void close() throws IOException {
            resp.close();
        }
    }
}
