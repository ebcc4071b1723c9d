package io.ipc4j.chat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Makes a received line safe to show on other people's terminals: invalid UTF-8 becomes U+FFFD, and control
 * characters (C0 including ESC, DEL, C1, and the bidirectional overrides that can disguise text) are removed,
 * so no client can inject terminal escape sequences into another's screen. Not thread-safe (one decoder).
 */
final class Sanitizer {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);

    String clean(ByteBuffer line) {
        CharBuffer decoded;
        try {
            decoded = decoder.reset().decode(line);
        } catch (CharacterCodingException e) {
            throw new AssertionError("REPLACE never throws", e);
        }
        StringBuilder out = new StringBuilder(decoded.length());
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c == '\t') {
                out.append(' ');
            } else if (!isControl(c)) {
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }
}
