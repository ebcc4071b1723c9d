package io.ipc4j.kv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A bare RESP2 client for tests that must send exact bytes: raw writes and raw reply reading. */
final class Resp implements AutoCloseable {
    final SocketChannel channel;
    final InputStream in;
    final OutputStream out;

    Resp(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new java.io.BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
    }

    static byte[] command(String... words) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String w : words) {
            byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    /** Sends a command and reads its reply, rendered as redis-cli would show a simple one. */
    String call(String... words) throws IOException {
        out.write(command(words));
        return reply();
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
    }

    /** One reply: "+OK" / "-ERR ..." / ":1" / bulk text / "(nil)" / "[a, b]" for arrays. */
    String reply() throws IOException {
        String line = line();
        return switch (line.charAt(0)) {
            case '+', '-', ':' -> line;
            case '$' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    yield "(nil)";
                }
                byte[] b = in.readNBytes(n + 2);
                yield new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n < 0) {
                    yield "(nil)";
                }
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(reply());
                }
                yield items.toString();
            }
            default -> throw new IOException("not a RESP reply: " + line);
        };
    }

    String line() throws IOException {
        StringBuilder s = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new java.io.EOFException("connection closed after '" + s + "'");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }

    /** True if the server has closed the connection (reads end of stream). */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
