package io.ipc4j.cli.inspect;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.ipc4j.cli.DurationConverter;
import io.ipc4j.inspect.FdInfo;
import io.ipc4j.inspect.IpcCleaner;
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
            description = "What IPC a process uses: each descriptor classified, peers, shared mappings.")
    public static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "PID")
        int pid;
        @Option(names = "--json", description = "JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            ProcessReport r = ProcessInspector.inspect(pid);
            if (json) {
                System.out.println(GSON.toJson(r));
                return 0;
            }
            System.out.printf("pid %d: %s%n", r.pid(), r.command());
            if (r.problem() != null) {
                System.out.println("  " + r.problem());
            }
            System.out.printf("%n  %4s  %-20s %s%n", "fd", "kind", "what (other processes holding it)");
            for (FdInfo fd : r.descriptors()) {
                System.out.printf("  %4d  %-20s %s%s%n", fd.fd(), fd.kind(), fd.detail(),
                        fd.peers().isEmpty() ? "" : "  <-> pids " + fd.peers());
            }
            if (!r.mappings().isEmpty()) {
                System.out.printf("%n  shared mappings%n");
                for (MappingInfo m : r.mappings()) {
                    System.out.printf("  %-24s %-40s %10d bytes %s%n", m.kind(), m.name(), m.bytes(), m.perms());
                }
            }
            return 0;
        }
    }

    @Command(name = "ipcs", mixinStandardHelpOptions = true,
            description = "Every System V and POSIX queue, segment and semaphore on this machine.")
    public static final class Ipcs implements Callable<Integer> {
        @Option(names = "--json", description = "JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<IpcObject> objects = IpcObjects.list();
            if (json) {
                System.out.println(GSON.toJson(objects));
                return 0;
            }
            System.out.printf("%-24s %-22s %-11s %5s %5s %10s %6s  %-24s %s%n", "kind", "id or name", "key", "uid",
                    "mode", "bytes", "count", "recorded pids (alive)", "used by");
            for (IpcObject o : objects) {
                System.out.printf("%-24s %-22s %-11s %5d %5s %10d %6s  %-24s %s%n", o.kind().title(), o.id(),
                        o.key() == null ? "-" : o.key(), o.ownerUid(), Integer.toOctalString(o.mode()), o.bytes(),
                        o.count() < 0 ? "-" : String.valueOf(o.count()), o.pids() + " " + o.alivePids(),
                        o.users().isEmpty() ? "-" : o.users().toString());
            }
            if (objects.isEmpty()) {
                System.out.println("(none)");
            }
            return 0;
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
                "Without options: --owner-dead."})
    public static final class Clean implements Callable<Integer> {
        @Option(names = "--dry-run", description = "Only say what would be removed.")
        boolean dryRun;
        @Option(names = "--owner-dead", description = "Objects whose recorded processes are all gone and that no "
                + "live process uses (POSIX objects record none: unused is enough).")
        boolean ownerDead;
        @Option(names = "--older-than", converter = DurationConverter.class, paramLabel = "DURATION",
                description = "Objects no live process uses, unchanged for this long (e.g. 1h).")
        Duration olderThan;

        @Override
        public Integer call() throws IOException {
            List<IpcCleaner.Removal> removals = IpcCleaner.clean(ownerDead, olderThan, dryRun);
            for (IpcCleaner.Removal r : removals) {
                System.out.printf("%s %s %s%s: %s%n", dryRun ? "would remove" : "removed", r.object().kind().title(),
                        r.object().id(), r.object().key() == null ? "" : " (key " + r.object().key() + ")", r.reason());
            }
            System.out.println(removals.isEmpty() ? "nothing to remove" : (dryRun ? "would remove " : "removed ")
                    + removals.size() + " object" + (removals.size() == 1 ? "" : "s"));
            return 0;
        }
    }
}
