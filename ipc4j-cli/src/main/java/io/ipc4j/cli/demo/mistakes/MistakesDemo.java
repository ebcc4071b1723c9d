package io.ipc4j.cli.demo.mistakes;

import com.google.gson.GsonBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ipc4j demo mistakes [NAME]}: the textbook's six common IPC mistakes, each shown going wrong and then
 * done right across real processes, with the evidence measured on this machine.
 */
@Command(name = "mistakes", mixinStandardHelpOptions = true,
        description = {"The textbook's six common IPC mistakes, each going wrong and then done right, with "
                + "measured evidence.", "NAME: timeouts, pipe-ends, ordering, shared-memory, tcp, cleanup (default: all)."})
public final class MistakesDemo implements Callable<Integer> {
    static final List<Mistake> ALL = List.of(new BlockingWithoutTimeout(), new UnusedPipeEnds(), new PriorityOrder(),
            new UnsynchronizedShm(), new TcpForLocal(), new NoCleanup());

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "One mistake by name.")
    String only;
    @Option(names = "--json", description = "JSON for tools instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Mistake> selected = ALL.stream().filter(m -> only == null || m.name().equals(only)).toList();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("no mistake '" + only + "': choose from "
                    + String.join(", ", ALL.stream().map(Mistake::name).toList()));
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (Mistake m : selected) {
            int number = ALL.indexOf(m) + 1;
            if (!json) {
                System.out.printf("%n== %d. %s ==%n%s%n", number, m.title(), wrap(m.explanation()));
            }
            Mistake.Outcome outcome = m.run();
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("number", number);
                r.put("name", m.name());
                r.put("title", m.title());
                r.put("explanation", m.explanation());
                r.put("wrong", outcome.wrong());
                r.put("right", outcome.right());
                results.add(r);
            } else {
                print("wrong", outcome.wrong());
                print("right", outcome.right());
            }
        }
        if (json) {
            System.out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(results));
        }
        return 0;
    }

    private static void print(String part, Map<String, Object> evidence) {
        System.out.println("  " + part + ":");
        for (Map.Entry<String, Object> e : evidence.entrySet()) {
            if (e.getValue() instanceof List<?> list) {
                System.out.println("    " + e.getKey() + ":" + (list.isEmpty() ? " none" : ""));
                list.forEach(item -> System.out.println("      - " + item));
            } else {
                System.out.println("    " + e.getKey() + ": " + e.getValue());
            }
        }
    }

    private static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        for (String word : text.split(" ")) {
            if (column + word.length() > 100) {
                out.append('\n');
                column = 0;
            } else if (column > 0) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.toString();
    }
}
