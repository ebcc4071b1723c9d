package io.ipc4j.inspect;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One pass over /proc: every live process's descriptor links and memory map, read once and shared by
 * {@link IpcObjects} (who holds each object), {@link ProcessInspector} (who holds the other end) and
 * {@link IpcGraph}. A process that exits during the pass is left out; one that cannot be read is kept with
 * what could not be read missing (null), and its reason.
 */
final class ProcScan {
    /**
     * One process as the pass found it.
     *
     * @param pid         the process.
     * @param descriptors fd number and link target of each descriptor, or null if they could not be read.
     * @param maps        its /proc/PID/maps text, or null if it could not be read (or was not asked for).
     * @param problem     why something could not be read, or null.
     */
    record Process(int pid, List<String[]> descriptors, String maps, String problem) {
    }

    static final String DESCRIPTORS_DENIED = "its descriptors cannot be read: permission denied (another user's"
            + " process, or one this process may not trace even as root; run as root or as its user)";
    static final String MAPS_DENIED = "its memory mappings cannot be read: permission denied (run as root or as"
            + " its user)";

    private final Map<Integer, Process> processes;
    private Map<String, List<Integer>> holders;

    private ProcScan(Map<Integer, Process> processes) {
        this.processes = processes;
    }

    /** Every live process now, descriptors and maps (kernel threads left out: they hold no IPC object). */
    static ProcScan all() {
        return scan(true);
    }

    /**
     * Every live process's descriptors only, with no maps read: enough for {@link #holders()}, which is all
     * inspecting one process needs of the others.
     */
    static ProcScan descriptorsOnly() {
        return scan(false);
    }

    private static ProcScan scan(boolean withMaps) {
        Map<Integer, Process> found = new TreeMap<>();
        for (int pid : ProcFs.pids()) {
            if (ProcFs.alive(pid) && !ProcFs.isKernelThread(pid)) {
                Process p = read(pid, withMaps);
                if (p != null) {
                    found.put(pid, p);
                }
            }
        }
        return new ProcScan(found);
    }

    /** One process, descriptors and maps, or null if it is gone. */
    static Process read(int pid) {
        return read(pid, true);
    }

    private static Process read(int pid, boolean withMaps) {
        List<String[]> descriptors = null;
        String problem = null;
        try {
            descriptors = ProcFs.descriptors(pid);
        } catch (AccessDeniedException e) {
            problem = DESCRIPTORS_DENIED;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            problem = "its descriptors cannot be read: " + e.getMessage();
        }
        String maps = withMaps ? ProcFs.read(Path.of("/proc/" + pid + "/maps")).orElse(null) : null;
        if (!ProcFs.alive(pid)) {
            return null; // exited during the read: what was read may be partial
        }
        if (withMaps && maps == null && problem == null) {
            problem = MAPS_DENIED;
        }
        return new Process(pid, descriptors, maps, problem);
    }

    Map<Integer, Process> processes() {
        return processes;
    }

    /** Link target ({@code pipe:[N]}, {@code socket:[N]}, a path) to the pids holding it, one entry per fd. */
    Map<String, List<Integer>> holders() {
        if (holders == null) {
            Map<String, List<Integer>> index = new HashMap<>();
            for (Process p : processes.values()) {
                if (p.descriptors() != null) {
                    for (String[] fd : p.descriptors()) {
                        index.computeIfAbsent(fd[1], k -> new ArrayList<>()).add(p.pid());
                    }
                }
            }
            holders = index;
        }
        return holders;
    }

    /** Live processes that could not be fully read, pid to uid. */
    Map<Integer, Integer> unexamined() {
        Map<Integer, Integer> out = new HashMap<>();
        for (Process p : processes.values()) {
            if (p.problem() != null && ProcFs.alive(p.pid())) {
                out.put(p.pid(), ProcFs.uid(p.pid()));
            }
        }
        return out;
    }
}
