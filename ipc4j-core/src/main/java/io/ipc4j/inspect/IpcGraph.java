package io.ipc4j.inspect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The whole machine's IPC as a graph: which processes talk to which, over what. Built from one scan of
 * /proc (one descriptor index for all processes, socket tables once per network namespace); an edge joins two
 * processes that hold the same pipe, FIFO, connected socket pair or POSIX queue, or map the same shared memory.
 */
public final class IpcGraph {
    /**
     * A process.
     *
     * @param pid     its pid.
     * @param command its command line.
     * @param problem why it could not be examined (fully), or null.
     */
    public record Node(int pid, String command, String problem) {
    }

    /**
     * Two processes joined by one IPC object.
     *
     * @param from the smaller pid.
     * @param to   the larger pid.
     * @param kind what the object is.
     * @param what the object: {@code pipe:[123]}, a socket's path and type, a queue's or segment's name.
     */
    public record Edge(int from, int to, String kind, String what) {
    }

    /**
     * One IPC object and every process holding it.
     *
     * @param kind what it is.
     * @param what which one.
     * @param pids the processes, ascending.
     */
    public record Shared(String kind, String what, List<Integer> pids) {
    }

    /**
     * The graph.
     *
     * @param nodes      processes that take part in at least one edge, by pid.
     * @param edges      the edges, by pids then object: one per pair of processes sharing an object.
     * @param objects    the same, one per object with all its processes (a pipe three processes hold is one).
     * @param unexamined processes that could not be examined, with the reason: their edges are missing.
     */
    public record Graph(List<Node> nodes, List<Edge> edges, List<Shared> objects, List<Node> unexamined) {
        /**
         * One line per object and its processes, then the processes that could not be examined.
         *
         * @return one line per object and its processes, then the processes that could not be examined
         */
        public String text() {
            StringBuilder s = new StringBuilder();
            Map<Integer, Node> byPid = new HashMap<>();
            nodes.forEach(n -> byPid.put(n.pid(), n));
            s.append(nodes.size()).append(" processes share ").append(objects.size()).append(" IPC objects")
                    .append(unexamined.isEmpty() ? "" : "; " + unexamined.size() + " processes could not be examined")
                    .append('\n');
            for (Shared o : objects) {
                s.append(String.format("  %-20s %-40s %s%n", o.kind(), o.what(), String.join(" <-> ", o.pids().stream()
                        .map(pid -> pid + " (" + shortCommand(byPid.get(pid)) + ")").toList())));
            }
            for (Node n : unexamined) {
                s.append(String.format("  not examined: %d %s: %s%n", n.pid(), shortCommand(n), n.problem()));
            }
            return s.toString();
        }

        /**
         * Graphviz: {@code ipc4j inspect --all --dot | dot -Tsvg > ipc.svg}. Processes are boxes; an object two
         * processes share is a labelled edge, one more share is an ellipse joined to each.
         *
         * @return the graph in Graphviz's dot language
         */
        public String dot() {
            StringBuilder s = new StringBuilder("graph ipc {\n  node [shape=box, fontname=monospace];\n");
            for (Node n : nodes) {
                s.append("  p").append(n.pid()).append(" [label=\"").append(n.pid()).append("\\n")
                        .append(escape(shortCommand(n))).append("\"];\n");
            }
            int hub = 0;
            for (Shared o : objects) {
                String label = escape(o.kind() + " " + o.what());
                if (o.pids().size() == 2) {
                    s.append("  p").append(o.pids().get(0)).append(" -- p").append(o.pids().get(1))
                            .append(" [label=\"").append(label).append("\"];\n");
                    continue;
                }
                String id = "o" + hub++;
                s.append("  ").append(id).append(" [shape=ellipse, label=\"").append(label).append("\"];\n");
                o.pids().forEach(pid -> s.append("  ").append(id).append(" -- p").append(pid).append(";\n"));
            }
            return s.append("}\n").toString();
        }

        private static String shortCommand(Node n) {
            if (n == null) {
                return "?";
            }
            String c = n.command().isEmpty() ? "?" : n.command();
            return c.length() > 24 ? c.substring(0, 23) + "~" : c;
        }

        private static String escape(String text) {
            return text.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    private IpcGraph() {
    }

    /**
     * Scans every live process now.
     *
     * @return the graph of processes and the IPC objects they hold
     */
    public static Graph build() {
        ProcScan scan = ProcScan.all();
        Map<String, List<Integer>> holders = scan.holders();
        Map<String, SocketTables> tablesByNamespace = new HashMap<>();
        Map<Integer, Node> nodes = new TreeMap<>();
        List<Node> unexamined = new ArrayList<>();
        Set<Edge> edges = new LinkedHashSet<>();
        Map<String, Set<Integer>> mappers = new TreeMap<>();
        for (ProcScan.Process process : scan.processes().values()) {
            int pid = process.pid();
            SocketTables tables = tablesByNamespace.computeIfAbsent(namespace(pid), k -> new SocketTables(pid));
            ProcessReport report = ProcessInspector.inspect(process, holders, tables);
            Node node = new Node(pid, report.command(), report.problem());
            if (report.problem() != null && ProcFs.alive(pid)) {
                unexamined.add(node);
            }
            for (FdInfo fd : report.descriptors()) {
                for (int peer : fd.peers()) {
                    if (peer != pid) {
                        edges.add(new Edge(Math.min(pid, peer), Math.max(pid, peer), kind(fd.kind()), what(fd)));
                    }
                }
            }
            for (MappingInfo m : report.mappings()) {
                if (m.kind().equals("mapped file") || m.kind().equals("anonymous shared")) {
                    continue; // files (libraries, caches), and anonymous regions that cannot be told apart
                }
                mappers.computeIfAbsent(m.kind() + "\t" + m.name(), k -> new LinkedHashSet<>()).add(pid);
            }
            nodes.put(pid, node);
        }
        mappers.forEach((object, pids) -> {
            String[] kindAndName = object.split("\t", 2);
            List<Integer> list = pids.stream().sorted().toList();
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size(); j++) {
                    edges.add(new Edge(list.get(i), list.get(j), kindAndName[0], kindAndName[1]));
                }
            }
        });
        List<Edge> sorted = edges.stream().sorted(Comparator.comparingInt(Edge::from).thenComparingInt(Edge::to)
                .thenComparing(Edge::kind).thenComparing(Edge::what)).toList();
        Set<Integer> joined = new LinkedHashSet<>();
        sorted.forEach(e -> {
            joined.add(e.from());
            joined.add(e.to());
        });
        List<Node> inGraph = nodes.values().stream().filter(n -> joined.contains(n.pid())).toList();
        return new Graph(inGraph, sorted, objects(sorted), unexamined);
    }

    /** The edges grouped by object: each object with all the processes that hold it. */
    private static List<Shared> objects(List<Edge> edges) {
        Map<String, Set<Integer>> byObject = new TreeMap<>();
        for (Edge e : edges) {
            Set<Integer> pids = byObject.computeIfAbsent(e.kind() + "\t" + e.what(), k -> new java.util.TreeSet<>());
            pids.add(e.from());
            pids.add(e.to());
        }
        List<Shared> objects = new ArrayList<>();
        byObject.forEach((key, pids) -> {
            String[] kindAndWhat = key.split("\t", 2);
            objects.add(new Shared(kindAndWhat[0], kindAndWhat[1], List.copyOf(pids)));
        });
        return objects;
    }

    /** The process's network namespace, or a key of its own when that cannot be read. */
    private static String namespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "pid " + pid;
        }
    }

    private static String kind(FdKind kind) {
        return switch (kind) {
            case PIPE -> "pipe";
            case FIFO -> "FIFO";
            case UNIX_SOCKET -> "Unix socket";
            case TCP_SOCKET -> "TCP";
            case UDP_SOCKET -> "UDP";
            case POSIX_MESSAGE_QUEUE -> "POSIX message queue";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The object both ends share, named the same from either side. */
    private static String what(FdInfo fd) {
        return switch (fd.kind()) {
            case PIPE -> fd.target();
            case FIFO, POSIX_MESSAGE_QUEUE -> fd.target();
            case UNIX_SOCKET -> unixPair(fd);
            case TCP_SOCKET -> tcpPair(fd.detail());
            default -> fd.target();
        };
    }

    /** A connected Unix socket pair as "stream socket:[a] <-> socket:[b]" (ordered), the same from either end. */
    private static String unixPair(FdInfo fd) {
        java.util.regex.Matcher peer = PEER.matcher(fd.detail());
        String type = fd.detail().replaceFirst("^Unix (\\w+) socket .*", "$1");
        if (!peer.find()) {
            return type + " " + fd.detail().replaceFirst("^Unix \\w+ socket ", "").replaceAll(", .*", "");
        }
        String mine = fd.target();
        String theirs = "socket:[" + peer.group(1) + "]";
        return type + " " + (mine.compareTo(theirs) <= 0 ? mine + " <-> " + theirs : theirs + " <-> " + mine);
    }

    private static final java.util.regex.Pattern PEER = java.util.regex.Pattern.compile(", peer socket:\\[(\\d+)]");

    /** "TCP a -> b, ESTABLISHED" from either end as the same "a <-> b" (ordered). */
    private static String tcpPair(String detail) {
        String[] ends = detail.replaceFirst("^TCP ", "").replaceAll(", .*", "").split(" -> ");
        if (ends.length != 2) {
            return detail;
        }
        return ends[0].compareTo(ends[1]) <= 0 ? ends[0] + " <-> " + ends[1] : ends[1] + " <-> " + ends[0];
    }
}
