package io.ipc4j.cli.inspect;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.ipc4j.cli.DurationConverter;
import io.ipc4j.inspect.FdInfo;
import io.ipc4j.inspect.IpcCleaner;
import io.ipc4j.inspect.IpcGraph;
import io.ipc4j.inspect.IpcLimits;
import io.ipc4j.inspect.IpcObject;
import io.ipc4j.inspect.IpcObjects;
import io.ipc4j.inspect.MappingInfo;
import io.ipc4j.inspect.ProcessInspector;
import io.ipc4j.inspect.ProcessReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ipc4j inspect}, {@code ipcs}, {@code limits} and {@code clean}: thin over io.ipc4j.inspect. */
public final class InspectCommands {
    /** Instants as ISO-8601 text: Gson cannot reach into java.time's fields on a modular JDK. */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .registerTypeAdapter(java.time.Instant.class, (com.google.gson.JsonSerializer<java.time.Instant>)
                    (instant, type, context) -> new com.google.gson.JsonPrimitive(instant.toString()))
            .create();

    private InspectCommands() {
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"What IPC a process uses: each descriptor classified, peers, shared mappings.",
                "With --all: every process, as a graph of who talks to whom over what (--dot for Graphviz).",
                "Exit status: 0, or 1 if the process could not be fully examined (the reason is printed)."})
    public static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "PID", arity = "0..1")
        Integer pid;
        @Option(names = "--all", description = "Every process: who talks to whom, over what.")
        boolean all;
        @Option(names = "--dot", description = "With --all: Graphviz (dot -Tsvg) instead of text.")
        boolean dot;
        @Option(names = "--json", description = "JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            if (all == (pid != null)) {
                throw new IllegalArgumentException("give a PID, or --all for every process (not both)");
            }
            if (dot && !all) {
                throw new IllegalArgumentException("--dot draws the graph of --all");
            }
            if (all) {
                IpcGraph.Graph graph = IpcGraph.build();
                System.out.print(json ? GSON.toJson(graph) + "\n" : dot ? graph.dot() : graph.text());
                return 0;
            }
            ProcessReport r = ProcessInspector.inspect(pid);
            int status = r.problem() == null ? 0 : 1;
            if (json) {
                System.out.println(GSON.toJson(r));
                return status;
            }
            System.out.printf("pid %d: %s%n", r.pid(), r.command());
            if (r.problem() != null) {
                System.out.println("  " + r.problem());
                System.err.println("ipc4j inspect: pid " + pid + " could not be fully examined: " + r.problem());
            }
            System.out.printf("%n  %4s  %-20s %s%n", "fd", "kind", "what (other processes holding it) [open flags]");
            for (FdInfo fd : r.descriptors()) {
                System.out.printf("  %4d  %-20s %s%s%s%n", fd.fd(), fd.kind(), fd.detail(),
                        fd.peers().isEmpty() ? "" : "  <-> pids " + fd.peers(),
                        fd.flags().isEmpty() ? "" : "  [" + fd.flags() + "]");
            }
            if (!r.mappings().isEmpty()) {
                System.out.printf("%n  shared mappings%n");
                for (MappingInfo m : r.mappings()) {
                    System.out.printf("  %-24s %-40s %10d bytes %s%n", m.kind(), m.name(), m.bytes(), m.perms());
                }
            }
            return status;
        }
    }

    @Command(name = "ipcs", mixinStandardHelpOptions = true,
            description = "Every System V and POSIX queue, segment and semaphore on this machine.")
    public static final class Ipcs implements Callable<Integer> {
        @Option(names = "--json", description = "JSON instead of a table.")
        boolean json;
        @Option(names = "--watch", description = "Refresh like watch(1), marking objects that appeared (+) and"
                + " went (-) since the last refresh; INT ends it.")
        boolean watch;
        @Option(names = "--interval", converter = DurationConverter.class, defaultValue = "2s",
                description = "With --watch: time between refreshes (default 2s).")
        Duration interval;
        @Option(names = "--count", converter = io.ipc4j.cli.Ranges.Positive.class,
                description = "With --watch: stop after this many refreshes (default: until INT).")
        Integer count;

        @Override
        public Integer call() throws InterruptedException {
            if (watch && json) {
                throw new IllegalArgumentException("--watch refreshes a table: leave out --json");
            }
            if (!watch) {
                List<IpcObject> objects = IpcObjects.list();
                if (json) {
                    System.out.println(GSON.toJson(objects));
                } else {
                    System.out.print(table(objects, null));
                }
                return 0;
            }
            boolean terminal = System.console() != null;
            Changes changes = new Changes();
            for (int frame = 1; count == null || frame <= count; frame++) {
                List<IpcObject> shown = changes.next(IpcObjects.list());
                System.out.print((terminal ? "\033[H\033[2J" : "") + "ipcs, refresh " + frame + " at "
                        + java.time.LocalTime.now().withNano(0) + " (every " + interval.toMillis() + " ms; + new,"
                        + " - gone)\n" + table(shown, changes.marks));
                System.out.flush();
                if (count == null || frame < count) {
                    Thread.sleep(interval);
                }
            }
            return 0;
        }

        /** What changed between refreshes: objects that appeared (+) and went (-), by "KIND ID". */
        private static final class Changes {
            private Map<String, IpcObject> previous;
            private final Map<String, String> marks = new java.util.HashMap<>();

            /** The objects to show now: today's, and those gone since the last refresh (marked). */
            List<IpcObject> next(List<IpcObject> objects) {
                Map<String, IpcObject> now = new java.util.LinkedHashMap<>();
                objects.forEach(o -> now.put(o.kind() + " " + o.id(), o));
                marks.clear();
                List<IpcObject> shown = new java.util.ArrayList<>(objects);
                if (previous != null) {
                    for (String key : now.keySet()) {
                        if (!previous.containsKey(key)) {
                            marks.put(key, "+");
                        }
                    }
                    for (Map.Entry<String, IpcObject> gone : previous.entrySet()) {
                        if (!now.containsKey(gone.getKey())) {
                            marks.put(gone.getKey(), "-");
                            shown.add(gone.getValue());
                        }
                    }
                }
                previous = now;
                return shown;
            }
        }

        /** The table; with {@code marks} (by "KIND ID"), each row starts with its mark: "+", "-" or blank. */
        private static String table(List<IpcObject> objects, Map<String, String> marks) {
            StringBuilder s = new StringBuilder(String.format("%s%-24s %-22s %-11s %5s %5s %10s %6s  %-24s %s%n",
                    marks == null ? "" : "  ", "kind", "id or name", "key", "uid", "mode", "bytes", "count",
                    "recorded pids (alive)", "used by"));
            for (IpcObject o : objects) {
                String mark = marks == null ? "" : marks.getOrDefault(o.kind() + " " + o.id(), " ") + " ";
                s.append(String.format("%s%-24s %-22s %-11s %5d %5s %10d %6s  %-24s %s%n", mark, o.kind().title(),
                        o.id(), o.key() == null ? "-" : o.key(), o.ownerUid(), o.mode(), o.bytes(),
                        o.count() < 0 ? "-" : String.valueOf(o.count()), o.pids() + " " + o.alivePids(),
                        o.users().isEmpty() ? "-" : o.users().toString()));
            }
            if (objects.isEmpty()) {
                s.append("(none)\n");
            }
            return s.toString();
        }
    }

    @Command(name = "limits", mixinStandardHelpOptions = true,
            description = "This machine's IPC limits and where each is set.")
    public static final class Limits implements Callable<Integer> {
        @Option(names = "--json", description = "JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<IpcLimits.Limit> limits = IpcLimits.read();
            if (json) {
                System.out.println(GSON.toJson(limits));
                return 0;
            }
            for (IpcLimits.Limit l : limits) {
                System.out.printf("%-26s %-34s %s%n%26s %-34s set in: %s%n", l.name(), l.value(), l.what(), "", "",
                        l.where());
            }
            return 0;
        }
    }

    @Command(name = "clean", mixinStandardHelpOptions = true,
            description = {"Remove IPC objects that dead processes left behind; never one a live process uses.",
                "Without options: --owner-dead. Spared unless asked: queues holding messages, objects changed"
                    + " within the grace period, files in /dev/shm not proven to be IPC objects, and (when not"
                    + " root) POSIX objects that an unexaminable process may hold.",
                "Exit status: 0, or 1 if some removal failed (each is reported)."})
    public static final class Clean implements Callable<Integer> {
        @Option(names = "--dry-run", description = "Only say what would be removed, and what each holds.")
        boolean dryRun;
        @Option(names = "--owner-dead", description = "Objects whose recorded processes are all gone and that no "
                + "live process uses (POSIX objects record none: unused is enough).")
        boolean ownerDead;
        @Option(names = "--older-than", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "Objects no live process uses, unchanged for this long (e.g. 1h).")
        Duration olderThan;
        @Option(names = "--grace", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "Spare objects changed within this long (default 5m; 0s spares none for age).")
        Duration grace = IpcCleaner.Policy.DEFAULT_GRACE;
        @Option(names = "--with-messages", description = "Also remove queues that hold undelivered messages.")
        boolean withMessages;
        @Option(names = "--unproven", description = "Also remove files in /dev/shm that are not proven to be IPC"
                + " objects (an ipc4j channel or a POSIX semaphore is proof; a plain file is not).")
        boolean unproven;
        @Option(names = "--ignore-unexamined", description = "Remove POSIX objects that no examined process holds"
                + " even when some processes could not be examined (they may hold them: your risk).")
        boolean ignoreUnexamined;

        @Override
        public Integer call() {
            IpcCleaner.Policy policy = new IpcCleaner.Policy(ownerDead || olderThan == null, olderThan, grace,
                    withMessages, unproven, ignoreUnexamined);
            IpcCleaner.Outcome outcome = IpcCleaner.clean(policy, dryRun);
            for (IpcCleaner.Removal r : outcome.removals()) {
                System.out.printf("%s %s (holds %s): %s%n", dryRun ? "would remove" : "removed", describe(r.object()),
                        IpcCleaner.holdings(r.object()), r.reason());
            }
            for (IpcCleaner.Kept k : outcome.kept()) {
                System.out.printf("kept %s (holds %s): %s%n", describe(k.object()), IpcCleaner.holdings(k.object()),
                        k.reason());
            }
            for (IpcCleaner.Failure f : outcome.failures()) {
                System.out.printf("could not remove %s: %s%n", describe(f.object()), f.error().getMessage());
            }
            if (!outcome.unexamined().isEmpty()) {
                System.out.printf("%d live processes could not be examined (%s): POSIX objects they may hold were"
                        + " kept unless --ignore-unexamined%n", outcome.unexamined().size(),
                        outcome.unexamined().entrySet().stream().limit(5)
                                .map(e -> "pid " + e.getKey() + " uid " + e.getValue()).toList());
            }
            int n = outcome.removals().size();
            System.out.println(n == 0 ? "nothing to remove" : (dryRun ? "would remove " : "removed ") + n + " object"
                    + (n == 1 ? "" : "s"));
            return outcome.failures().isEmpty() ? 0 : 1;
        }

        private static String describe(IpcObject o) {
            return o.kind().title() + " " + o.id() + (o.key() == null ? "" : " (key " + o.key() + ")");
        }
    }
}
