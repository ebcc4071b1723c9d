package io.ipc4j.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What IPC a process uses, from /proc: each descriptor classified (with the processes at the other end of a
 * pipe, FIFO or loopback connection where /proc tells), and its shared mappings.
 *
 * <p>Reading another user's process needs privileges; what cannot be read is reported in
 * {@link ProcessReport#problem()}, never thrown.
 */
public final class ProcessInspector {
    private static final Pattern INODE = Pattern.compile("(pipe|socket):\\[(\\d+)]");
    private static final Pattern SYSV = Pattern.compile("/SYSV([0-9a-f]{8})( \\(deleted\\))?");

    private ProcessInspector() {
    }

    /**
     * Inspects {@code pid}.
     *
     * @param pid the process id
     * @return what the process holds: its descriptors and mappings, described
     * @throws NoSuchFileException if there is no such process.
     */
    public static ProcessReport inspect(int pid) throws IOException {
        if (!Files.isDirectory(Path.of("/proc/" + pid))) {
            throw new NoSuchFileException("/proc/" + pid, null, "no process " + pid);
        }
        ProcScan.Process process = ProcScan.read(pid);
        if (process == null) {
            return new ProcessReport(pid, ProcFs.command(pid), List.of(), List.of(), "it exited while being inspected");
        }
        // of the other processes only their descriptors matter here (who holds the other end), not their maps
        return inspect(process, ProcScan.descriptorsOnly().holders(), new SocketTables(pid));
    }

    /**
     * Inspects a process as one scan of /proc found it, with the holders index and socket tables of that scan
     * (shared by many processes: see {@link IpcGraph}).
     */
    static ProcessReport inspect(ProcScan.Process process, Map<String, List<Integer>> holders,
                                 SocketTables sockets) {
        int pid = process.pid();
        List<FdInfo> fds = new ArrayList<>();
        if (process.descriptors() != null) {
            Map<String, Integer> ownFds = new HashMap<>();
            process.descriptors().forEach(fd -> ownFds.putIfAbsent(fd[1], Integer.parseInt(fd[0])));
            Context context = new Context(pid, holders, sockets, ownFds);
            for (String[] fd : process.descriptors()) {
                int n = Integer.parseInt(fd[0]);
                // read once: a descriptor closed meanwhile has none, and is shown without its open state
                String fdinfo = ProcFs.read(Path.of("/proc/" + pid + "/fdinfo/" + n)).orElse("");
                fds.add(classify(context, n, fd[1], fdinfo).withOpenState(OpenState.parse(fdinfo)));
            }
        }
        List<MappingInfo> mappings = process.maps() == null ? List.of() : mappings(process.maps());
        return new ProcessReport(pid, ProcFs.command(pid), fds, mappings, process.problem());
    }

    /**
     * What classifying one process's descriptors needs.
     *
     * @param ownFds this process's descriptors by link target, to name a peer held by the process itself.
     */
    private record Context(int pid, Map<String, List<Integer>> holders, SocketTables sockets,
                           Map<String, Integer> ownFds) {
    }

    private static FdInfo classify(Context c, int fd, String target, String fdinfo) {
        int pid = c.pid();
        Map<String, List<Integer>> holders = c.holders();
        List<Integer> others = others(holders.getOrDefault(target, List.of()), pid);
        Matcher m = INODE.matcher(target);
        if (m.matches()) {
            long inode = Long.parseLong(m.group(2));
            if (m.group(1).equals("pipe")) {
                return new FdInfo(fd, FdKind.PIPE, target, "pipe inode " + inode + ", " + end(fdinfo), others);
            }
            return socket(c, fd, target, inode);
        }
        if (target.startsWith("anon_inode:")) {
            FdKind kind = AnonInodes.kind(target);
            return new FdInfo(fd, kind, target, AnonInodes.describe(kind, target, fdinfo), List.of());
        }
        if (target.startsWith("/memfd:")) {
            return new FdInfo(fd, FdKind.MEMFD, target, Memfds.describe(pid, fd, target), others);
        }
        if (target.endsWith(" (deleted)")) {
            String path = target.substring(0, target.length() - " (deleted)".length());
            return new FdInfo(fd, FdKind.DELETED_FILE, target, "deleted file " + path + " (deleted: its name is"
                    + " gone, its data lives while a descriptor is open)", others);
        }
        return path(pid, fd, target, others, fdinfo);
    }

    private static FdInfo path(int pid, int fd, String target, List<Integer> others, String fdinfo) {
        Path link = Path.of("/proc/" + pid + "/fd/" + fd);
        try {
            int mode = (Integer) Files.getAttribute(link, "unix:mode");
            return switch (mode & 0170000) {
                case 0010000 -> new FdInfo(fd, FdKind.FIFO, target, "FIFO " + target + ", " + end(fdinfo), others);
                case 0040000 -> new FdInfo(fd, FdKind.DIRECTORY, target, "directory " + target, List.of());
                case 0020000, 0060000 -> new FdInfo(fd, FdKind.DEVICE, target, "device " + target, List.of());
                default -> isMessageQueue(target, link)
                        ? new FdInfo(fd, FdKind.POSIX_MESSAGE_QUEUE, target, "POSIX message queue " + target + " ("
                                + ProcFs.read(link).orElse("").strip() + ")", others)
                        : new FdInfo(fd, FdKind.REGULAR_FILE, target, "file " + target, List.of());
            };
        } catch (IOException | RuntimeException e) {
            return new FdInfo(fd, FdKind.OTHER, target, target, List.of());
        }
    }

    /** A queue's descriptor links to "/name" on the mqueue file system, whose file reads "QSIZE:...". */
    private static boolean isMessageQueue(String target, Path link) {
        return target.lastIndexOf('/') == 0 && !Files.exists(Path.of(target))
                && ProcFs.read(link).map(s -> s.startsWith("QSIZE:")).orElse(false);
    }

    private static FdInfo socket(Context c, int fd, String target, long inode) {
        int pid = c.pid();
        SocketTables sockets = c.sockets();
        Map<String, List<Integer>> holders = c.holders();
        SocketTables.Entry e = sockets.find(inode);
        if (e == null) {
            return new FdInfo(fd, FdKind.OTHER_SOCKET, target, "socket inode " + inode + " (netlink, packet...)",
                    List.of());
        }
        List<Integer> peers = List.of();
        if (e.kind() == FdKind.TCP_SOCKET && e.remote() != null) {
            Long other = sockets.tcpInode(e.remote(), e.local());
            peers = other == null ? List.of() : others(holders.getOrDefault("socket:[" + other + "]", List.of()), -1);
        } else if (e.kind() == FdKind.UNIX_SOCKET && e.unix() != null && e.unix().peer() != 0) {
            peers = others(holders.getOrDefault("socket:[" + e.unix().peer() + "]", List.of()), pid);
        } else if (e.kind() == FdKind.UNIX_SOCKET && !e.local().equals("(unnamed)")) {
            peers = others(DescriptorIndex.unixPathHolders(sockets, holders, e.local()), pid);
        }
        String detail = switch (e.kind()) {
            case UNIX_SOCKET -> "Unix " + e.type() + " socket " + e.local() + ", " + e.state() + unixDetail(c, e);
            default -> (e.kind() == FdKind.TCP_SOCKET ? "TCP " : "UDP ") + e.local() + " -> " + e.remote() + ", "
                    + e.state() + (e.unread() > 0 ? ", " + e.unread() + " bytes to read" : "")
                    + (e.unsent() > 0 ? ", " + e.unsent() + " bytes unsent" : "");
        };
        return new FdInfo(fd, e.kind(), target, detail, peers);
    }

    /** What sock_diag adds: the peer socket and who holds it, connections waiting, bytes waiting. */
    private static String unixDetail(Context c, SocketTables.Entry e) {
        if (e.unix() == null) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        long peer = e.unix().peer();
        if (peer != 0) {
            String peerTarget = "socket:[" + peer + "]";
            Integer own = c.ownFds().get(peerTarget);
            List<Integer> pids = others(c.holders().getOrDefault(peerTarget, List.of()), c.pid());
            s.append(", peer ").append(peerTarget);
            if (own != null) {
                s.append(" (fd ").append(own).append(" of this process)");
            }
            if (!pids.isEmpty()) {
                s.append(" held by pids ").append(pids);
            } else if (own == null) {
                s.append(" (held by no process visible here: one in another pid namespace, or one that cannot"
                        + " be read)");
            }
        }
        if (e.state().equals("LISTEN")) {
            s.append(", ").append(e.unix().pending().size()).append(" waiting to be accepted");
        } else if (e.unix().queued() > 0) {
            s.append(", ").append(e.unix().queued()).append(" bytes to read");
        }
        return s.toString();
    }

    /** Which end of a pipe or FIFO, from the access mode in its fdinfo (already read for its open state). */
    private static String end(String fdinfo) {
        String flags = OpenState.parse(fdinfo).flags();
        if (flags.isEmpty()) {
            return "end unknown";
        }
        return switch (flags.split(" ")[0]) {
            case "read" -> "read end";
            case "write" -> "write end";
            default -> "read-write";
        };
    }

    private static List<Integer> others(List<Integer> pids, int self) {
        return pids.stream().filter(p -> p != self).distinct().sorted().toList();
    }

    /** The process's shared mappings, one per object. */
    static List<MappingInfo> mappings(String maps) {
        Map<String, MappingInfo> byName = new LinkedHashMap<>();
        Map<Long, String> shmNames = DevShm.namesByInode();
        for (String line : maps.lines().toList()) {
            String[] f = line.split("\\s+", 6);
            if (f.length < 6 || f[1].charAt(3) != 's') {
                continue;
            }
            String[] range = f[0].split("-");
            long bytes = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
            String path = f[5].strip();
            if (path.startsWith("/dev/shm/")) {
                String current = shmNames.get(Long.parseLong(f[4]));
                path = current == null ? path : "/dev/shm/" + current;
            }
            MappingInfo info = mapping(path, f[4], bytes, f[1]);
            byName.merge(info.kind() + info.name(), info, (a, b) -> new MappingInfo(a.kind(), a.name(),
                    a.bytes() + b.bytes(), a.perms()));
        }
        return List.copyOf(byName.values());
    }

    private static MappingInfo mapping(String path, String inode, long bytes, String perms) {
        Matcher sysv = SYSV.matcher(path);
        if (sysv.matches()) {
            return new MappingInfo("System V shared memory", "key 0x" + sysv.group(1) + ", id " + inode, bytes, perms);
        }
        if (path.startsWith("/dev/shm/sem.")) {
            return new MappingInfo("POSIX semaphore", "/" + path.substring(13), bytes, perms);
        }
        if (path.startsWith("/dev/shm/")) {
            return new MappingInfo("POSIX shared memory", "/" + path.substring(9), bytes, perms);
        }
        if (path.startsWith("/memfd:")) {
            return new MappingInfo("memfd", path.substring(7), bytes, perms);
        }
        return new MappingInfo(path.isEmpty() ? "anonymous shared" : "mapped file", path, bytes, perms);
    }

    /** fd link target -> the pids holding it, over every process this one may read. */
    static final class DescriptorIndex {
        private DescriptorIndex() {
        }

        static List<Integer> unixPathHolders(SocketTables sockets, Map<String, List<Integer>> index, String path) {
            List<Integer> pids = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> e : index.entrySet()) {
                Matcher m = INODE.matcher(e.getKey());
                if (m.matches() && m.group(1).equals("socket")) {
                    SocketTables.Entry s = sockets.find(Long.parseLong(m.group(2)));
                    if (s != null && s.kind() == FdKind.UNIX_SOCKET && path.equals(s.local())) {
                        pids.addAll(e.getValue());
                    }
                }
            }
            return pids;
        }
    }
}
