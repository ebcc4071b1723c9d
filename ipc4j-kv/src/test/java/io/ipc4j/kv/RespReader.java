package io.ipc4j.kv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one RESP2 or RESP3 reply of any type as a {@link Node}, whose rendering tells every type apart:
 * {@code +OK}, {@code -ERR ...}, {@code :1}, {@code "bulk"}, {@code nil$} / {@code nil*} / {@code nil_},
 * {@code [a, b]}, {@code %[k, v]} (map), {@code ~[..]} (set), {@code >[..]} (push), {@code ,1.5} (double).
 */
final class RespReader {
    /** A reply: its type byte, its text (scalars) or its elements (aggregates; a map's keys and values alternate). */
    record Node(char type, String text, List<Node> items) {
        boolean isError() {
            return type == '-';
        }

        /** The exact rendering. */
        String render() {
            return render(false);
        }

        /** With {@code sorted}, every level's elements (a map's pairs) in order: for unordered replies. */
        String render(boolean sorted) {
            if (items == null) {
                return text;
            }
            List<String> parts = new ArrayList<>();
            if (type == '%') {
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    parts.add(items.get(i).render() + ": " + items.get(i + 1).render());
                }
            } else {
                items.forEach(n -> parts.add(n.render()));
            }
            if (sorted) {
                parts.clear();
                if (type == '%') {
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        parts.add(items.get(i).render(true) + ": " + items.get(i + 1).render(true));
                    }
                } else {
                    items.forEach(n -> parts.add(n.render(true)));
                }
                parts.sort(null);
            }
            return (type == '*' ? "" : String.valueOf(type)) + parts;
        }

        /** Only the type and, for aggregates, the element count: for random replies. */
        String shape() {
            return items == null ? String.valueOf(type) : type + "" + items.size();
        }
    }

    private final InputStream in;

    RespReader(InputStream in) {
        this.in = in;
    }

    Node read() throws IOException {
        String line = line();
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', '-', ':', ',', '(', '#' -> {
                return new Node(type, line, null);
            }
            case '_' -> {
                return new Node(type, "nil_", null);
            }
            case '$', '=' -> {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return new Node(type, "nil$", null);
                }
                byte[] b = in.readNBytes(n + 2);
                if (b.length < n + 2) {
                    throw new EOFException("bulk cut short");
                }
                return new Node('$', quote(b, n), null);
            }
            case '*', '~', '>', '%' -> {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return new Node(type, "nil*", null);
                }
                int count = type == '%' ? n * 2 : n;
                List<Node> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return new Node(type, null, items);
            }
            default -> throw new IOException("not a RESP reply: " + line);
        }
    }

    private static String quote(byte[] b, int n) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c == '\\') {
                s.append('\\').append((char) c);
            } else if (c >= 32 && c < 127) {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.append('"').toString();
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed after '" + s + "'");
            }
            if (b != '\r') {
                s.append((char) b);
            }
        }
        return s.toString();
    }
}
