package io.ipc4j.inspect;

import io.ipc4j.mq.Access;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every IPC object on the machine: System V queues, segments and semaphore sets (/proc/sysvipc), POSIX queues
 * (/dev/mqueue, mounted if it is not and this process may), POSIX shared memory and semaphores (/dev/shm),
 * with the pids the kernel recorded and the live processes using each, found through /proc.
 */
public final class IpcObjects {
    private IpcObjects() {
    }

    /**
     * Everything now, and which live processes could not be examined.
     *
     * @param objects    every object.
     * @param unexamined live processes (not kernel threads) whose descriptors or mappings this process may not
     *                   read, pid to uid: any of them may hold a POSIX object or a mapping that {@code objects}
     *                   then does not show. Empty when run as root, or when every process is this user's.
     */
    public record Survey(List<IpcObject> objects, Map<Integer, Integer> unexamined) {
    }

    /**
     * Lists everything now.
     *
     * @return every IPC object found
     */
    public static List<IpcObject> list() {
        return survey().objects();
    }

    /**
     * Lists everything now, saying which processes could not be examined.
     *
     * @return the {@code Survey}
     */
    public static Survey survey() {
        MqueueFs.mountIfPossible();
        Users users = Users.of(ProcScan.all());
        List<IpcObject> objects = new ArrayList<>();
        sysvQueues(objects);
        sysvSegments(objects, users);
        sysvSemaphores(objects);
        posixQueues(objects, users);
        posixShm(objects, users);
        return new Survey(objects, Map.copyOf(users.unexamined));
    }

    private static void sysvQueues(List<IpcObject> into) {
        // key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
        for (String row : ProcFs.tableRows(Path.of("/proc/sysvipc/msg"))) {
            String[] f = row.split("\\s+");
            List<Integer> pids = recorded(Integer.parseInt(f[5]), Integer.parseInt(f[6]));
            into.add(new IpcObject(IpcObject.Kind.SYSV_MESSAGE_QUEUE, f[1], hex(f[0]), Integer.parseInt(f[7]),
                    mode(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), pids, alive(pids), List.of(),
                    time(f[13])));
        }
    }

    private static void sysvSegments(List<IpcObject> into, Users users) {
        // key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap
        for (String row : ProcFs.tableRows(Path.of("/proc/sysvipc/shm"))) {
            String[] f = row.split("\\s+");
            List<Integer> pids = recorded(Integer.parseInt(f[4]), Integer.parseInt(f[5]));
            into.add(new IpcObject(IpcObject.Kind.SYSV_SHARED_MEMORY, f[1], hex(f[0]), Integer.parseInt(f[7]),
                    mode(f[2]), Long.parseLong(f[3]), Long.parseLong(f[6]), pids, alive(pids),
                    users.sysvShm.getOrDefault(f[1], List.of()), time(f[13])));
        }
    }

    private static void sysvSemaphores(List<IpcObject> into) {
        // key semid perms nsems uid gid cuid cgid otime ctime; the last operator of each is semctl(GETPID)
        for (String row : ProcFs.tableRows(Path.of("/proc/sysvipc/sem"))) {
            String[] f = row.split("\\s+");
            int count = Integer.parseInt(f[3]);
            List<Integer> pids = new ArrayList<>();
            try {
                SysVSemaphoreSet set = SysVSemaphoreSet.ofId(Integer.parseInt(f[1]));
                for (int i = 0; i < count; i++) {
                    pids.addAll(recorded(set.lastPid(i)));
                }
            } catch (IOException e) {
                // removed meanwhile, or not ours to read
            }
            List<Integer> distinct = pids.stream().distinct().toList();
            into.add(new IpcObject(IpcObject.Kind.SYSV_SEMAPHORE_SET, f[1], hex(f[0]), Integer.parseInt(f[4]),
                    mode(f[2]), 0, count, distinct, alive(distinct), List.of(), time(f[9])));
        }
    }

    private static void posixQueues(List<IpcObject> into, Users users) {
        for (Path file : files(Path.of("/dev/mqueue"))) {
            String name = "/" + file.getFileName();
            // "QSIZE:129        NOTIFY:0     SIGNO:0     NOTIFY_PID:0"
            String text = ProcFs.read(file).orElse("");
            long bytes = text.startsWith("QSIZE:") ? Long.parseLong(text.substring(6).strip().split("\\s+")[0]) : 0;
            into.add(posix(IpcObject.Kind.POSIX_MESSAGE_QUEUE, name, file, bytes, queuedMessages(name),
                    users.queues.getOrDefault(name, List.of())));
        }
    }

    private static void posixShm(List<IpcObject> into, Users users) {
        for (Path file : files(Path.of("/dev/shm"))) {
            String base = file.getFileName().toString();
            boolean semaphore = base.startsWith("sem.");
            String name = "/" + (semaphore ? base.substring(4) : base);
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                continue;
            }
            into.add(posix(semaphore ? IpcObject.Kind.POSIX_SEMAPHORE : IpcObject.Kind.POSIX_SHARED_MEMORY, name,
                    file, size, -1, users.shm.getOrDefault(inode(file), List.of())));
        }
    }

    private static String inode(Path file) {
        try {
            return String.valueOf(Files.getAttribute(file, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Messages in a POSIX queue (mq_getattr), or -1 if it cannot be opened (permission, or gone). */
    private static long queuedMessages(String name) {
        try (PosixMessageQueue q = PosixMessageQueue.open(name, Access.READ_ONLY)) {
            return q.attributes().currentMessages();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static IpcObject posix(IpcObject.Kind kind, String name, Path file, long bytes, long count,
                                   List<Integer> users) {
        int uid = 0;
        int mode = 0;
        Instant changed = null;
        try {
            uid = (Integer) Files.getAttribute(file, "unix:uid");
            mode = ((Integer) Files.getAttribute(file, "unix:mode")) & 0777;
            changed = Files.getLastModifiedTime(file).toInstant();
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return new IpcObject(kind, name, null, uid, IpcObject.octal(mode), bytes, count, List.of(), List.of(), users,
                changed);
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Integer> recorded(int... pids) {
        List<Integer> list = new ArrayList<>();
        for (int pid : pids) {
            if (pid > 0 && !list.contains(pid)) {
                list.add(pid);
            }
        }
        return list;
    }

    private static List<Integer> alive(List<Integer> pids) {
        return pids.stream().filter(ProcFs::alive).toList();
    }

    /** /proc/sysvipc prints permissions in octal (e.g. "600", "1600"): the permission bits, as "0600". */
    private static String mode(String octal) {
        return IpcObject.octal(Integer.parseInt(octal, 8) & 0777);
    }

    private static String hex(String key) {
        return String.format("0x%08x", (int) Long.parseLong(key));
    }

    private static Instant time(String seconds) {
        long s = Long.parseLong(seconds);
        return s == 0 ? null : Instant.ofEpochSecond(s);
    }

    /** Who holds what now, from every readable /proc/PID/fd and /proc/PID/maps. */
    private static final class Users {
        final Map<String, List<Integer>> sysvShm = new HashMap<>();
        /** /dev/shm inode -> pids. */
        final Map<String, List<Integer>> shm = new HashMap<>();
        final Map<String, List<Integer>> queues = new HashMap<>();
        /** pid -> uid of live processes whose maps or descriptors could not be read. */
        final Map<Integer, Integer> unexamined = new HashMap<>();

        /** Who holds what, from one pass over /proc. */
        static Users of(ProcScan scan) {
            Users users = new Users();
            for (ProcScan.Process p : scan.processes().values()) {
                if (p.maps() != null) {
                    users.readMaps(p.pid(), p.maps());
                }
                if (p.descriptors() != null) {
                    users.readDescriptors(p.pid(), p.descriptors());
                }
            }
            users.unexamined.putAll(scan.unexamined());
            return users;
        }

        private void readMaps(int pid, String maps) {
            for (String line : maps.lines().toList()) {
                String[] f = line.split("\\s+", 6);
                if (f.length < 6) {
                    continue;
                }
                String path = f[5].strip();
                if (path.startsWith("/SYSV")) {
                    add(sysvShm, f[4], pid); // the inode of a System V mapping is its shmid
                } else if (path.startsWith("/dev/shm/")) {
                    add(shm, f[4], pid); // by inode: a semaphore's creator maps it under a temporary name
                }
            }
        }

        private void readDescriptors(int pid, List<String[]> descriptors) {
            for (String[] fd : descriptors) {
                if (fd[1].startsWith("/dev/shm/")) {
                    add(shm, inode(Path.of("/proc/" + pid + "/fd/" + fd[0])), pid);
                } else if (fd[1].lastIndexOf('/') == 0 && !fd[1].contains(" ")) {
                    add(queues, fd[1], pid); // a queue's descriptor links to /NAME on the mqueue file system
                }
            }
        }

        private static void add(Map<String, List<Integer>> map, String key, int pid) {
            List<Integer> pids = map.computeIfAbsent(key, k -> new ArrayList<>());
            if (!pids.contains(pid)) {
                pids.add(pid);
            }
        }
    }
}
