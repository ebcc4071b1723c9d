package io.ipc4j;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No two packages of the library depend on each other, directly or through others: the dependencies, as the
 * JDK's jdeps reads them from the compiled classes, form no cycle. (ErrnoException and the errno boundary
 * once imported each other; SysVKey's ftok in io.ipc4j would have made another.)
 */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.ipc4j[\\w.]*)\\s+->\\s+(io\\.ipc4j[\\w.]*)\\s");

    @Test
    void theLibrarysPackagesFormNoCycle() {
        Map<String, Set<String>> uses = dependencies(Path.of("target", "classes"));
        assertTrue(uses.size() > 10, "jdeps found the packages: " + uses.keySet());
        assertEquals(List.of(), cycles(uses), "package cycles");
    }

    private static Map<String, Set<String>> dependencies(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none",
                classes.toString());
        assertEquals(0, status, out.toString());
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                uses.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return uses;
    }

    /** Each cycle once, as the path from its smallest package back to it. */
    private static List<String> cycles(Map<String, Set<String>> uses) {
        Set<String> found = new TreeSet<>();
        for (String start : uses.keySet()) {
            walk(uses, start, new ArrayList<>(List.of(start)), found);
        }
        return new ArrayList<>(found);
    }

    private static void walk(Map<String, Set<String>> uses, String at, List<String> path, Set<String> found) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(path.getFirst())) {
                String smallest = path.stream().min(String::compareTo).orElseThrow();
                if (smallest.equals(path.getFirst())) {
                    found.add(String.join(" -> ", path) + " -> " + next);
                }
            } else if (!path.contains(next) && next.compareTo(path.getFirst()) > 0) {
                path.add(next);
                walk(uses, next, path, found);
                path.removeLast();
            }
        }
    }
}
