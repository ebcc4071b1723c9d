package io.ipc4j.pipe;

import java.util.ArrayList;
import java.util.List;

/** Splits {@code a b | c 'd e'} into commands and words: quotes, no other shell syntax. */
final class CommandLine {
    private CommandLine() {
    }

    static List<List<String>> split(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c) || c == '|') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                if (c == '|') {
                    commands.add(requireWords(words, line));
                    words = new ArrayList<>();
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        commands.add(requireWords(words, line));
        return commands;
    }

    private static List<String> requireWords(List<String> words, String line) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty command in pipeline: " + line);
        }
        return List.copyOf(words);
    }
}
