package io.ipc4j.kv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Splits an inline request into words as Redis's sdssplitargs does: spaces, "quoted \x41 text", 'single'. */
final class InlineSplitter {
    private InlineSplitter() {
    }

    static List<byte[]> split(ByteBuffer in, int from, int to) throws RespParser.ProtocolException {
        List<byte[]> words = new ArrayList<>();
        int i = from;
        while (true) {
            while (i < to && isSpace(in.get(i))) {
                i++;
            }
            if (i >= to) {
                return words;
            }
            ByteArrayOutputStream word = new ByteArrayOutputStream();
            byte quote = 0;
            while (i < to) {
                byte c = in.get(i);
                if (quote == '"') {
                    if (c == '\\' && i + 3 < to && in.get(i + 1) == 'x' && isHex(in.get(i + 2)) && isHex(in.get(i + 3))) {
                        word.write(Character.digit(in.get(i + 2), 16) * 16 + Character.digit(in.get(i + 3), 16));
                        i += 4;
                        continue;
                    }
                    if (c == '\\' && i + 1 < to) {
                        byte e = in.get(i + 1);
                        word.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                        i += 2;
                        continue;
                    }
                    if (c == '"') {
                        if (i + 1 < to && !isSpace(in.get(i + 1))) {
                            throw new RespParser.ProtocolException("Protocol error: unbalanced quotes in request");
                        }
                        quote = 0;
                        i++;
                        break;
                    }
                } else if (quote == '\'') {
                    if (c == '\\' && i + 1 < to && in.get(i + 1) == '\'') {
                        word.write('\'');
                        i += 2;
                        continue;
                    }
                    if (c == '\'') {
                        if (i + 1 < to && !isSpace(in.get(i + 1))) {
                            throw new RespParser.ProtocolException("Protocol error: unbalanced quotes in request");
                        }
                        quote = 0;
                        i++;
                        break;
                    }
                } else if (isSpace(c)) {
                    break;
                } else if ((c == '"' || c == '\'') && word.size() == 0) {
                    quote = c;
                    i++;
                    continue;
                }
                word.write(c);
                i++;
            }
            if (quote != 0) {
                throw new RespParser.ProtocolException("Protocol error: unbalanced quotes in request");
            }
            words.add(word.toByteArray());
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    private static boolean isHex(byte c) {
        return Character.digit(c, 16) >= 0;
    }
}
