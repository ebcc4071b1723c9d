package io.ipc4j.internal.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * posix_spawnp(3) with file actions: the one way for a JVM to start a child that inherits chosen descriptors
 * at chosen numbers (ProcessBuilder closes everything above 2 in the child).
 *
 * <p>The child gets exactly: the requested descriptors at their target numbers, and nothing else above 2.
 * Every other descriptor of the JVM (jar files, sockets, pipes of other children) is closed in the child
 * before exec, whether or not it was opened close-on-exec. Signal mask and dispositions are reset to the
 * defaults, since a JVM thread's mask is no business of a child's.
 */
public final class PosixSpawn {
    private static final int POSIX_SPAWN_SETPGROUP = 0x02;
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336; leave room for others. */
    private static final long OPAQUE_BYTES = 1024;
    private static final long SIGSET_BYTES = 128;

    private static final MethodHandle FA_INIT = Libc.link("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = Libc.link("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_ADDDUP2 = Libc.link("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_ADDCLOSE = Libc.link("posix_spawn_file_actions_addclose",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** glibc 2.34+. */
    private static final Optional<MethodHandle> FA_ADDCLOSEFROM = Libc.linkOptional(
            "posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** glibc 2.29+. */
    private static final Optional<MethodHandle> FA_ADDCHDIR = Libc.linkOptional(
            "posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_INIT = Libc.link("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = Libc.link("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = Libc.link("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = Libc.link("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGDEFAULT = Libc.link("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETPGROUP = Libc.link("posix_spawnattr_setpgroup",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SIGEMPTYSET = Libc.link("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = Libc.link("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /**
     * int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
     * const posix_spawnattr_t *attr, char *const argv[], char *const envp[]); returns an errno value.
     */
    private static final MethodHandle SPAWNP = Libc.link("posix_spawnp", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    private PosixSpawn() {
    }

    /**
     * Starts {@code argv[0]} (looked up on PATH when it has no slash).
     *
     * @param argv            the program and its arguments.
     * @param environment     the child's whole environment.
     * @param directory       the working directory, or null for the JVM's.
     * @param descriptors     target number in the child -&gt; descriptor in this process (0, 1, 2 included;
     *                        a standard stream not listed is inherited as it is).
     * @param newProcessGroup put the child in a process group of its own.
     * @return the child's pid.
     */
    public static int spawn(List<String> argv, Map<String, String> environment, String directory,
                            Map<Integer, Integer> descriptors, boolean newProcessGroup) throws IOException {
        TreeMap<Integer, Integer> targets = new TreeMap<>(descriptors);
        int highestTarget = Math.max(2, targets.isEmpty() ? 2 : targets.lastKey());
        // Sources are first duplicated above every target, close-on-exec: then no dup2 can overwrite a
        // source that a later dup2 still needs, and the copies vanish at exec.
        TreeMap<Integer, Integer> staged = new TreeMap<>();
        try (Arena arena = Arena.ofConfined()) {
            for (var entry : targets.entrySet()) {
                staged.put(entry.getKey(), stage(entry.getValue(), highestTarget + 1,
                        "descriptor " + entry.getValue() + " for the child's fd " + entry.getKey()));
            }
            return spawnStaged(arena, argv, environment, directory, staged, highestTarget, newProcessGroup);
        } finally {
            staged.values().forEach(FileCalls::closeQuietly);
        }
    }

    /**
     * A close-on-exec copy of {@code fd} numbered at least {@code lowest}, blocking, as children expect. A
     * non-blocking pipe or FIFO end is reopened through /proc/self/fd, which gives the child an open file
     * description of its own: making it blocking then leaves the parent's end as it was (non-blocking, so its
     * timeouts still hold). A pipe end already in blocking mode (as {@code Pipe.open} makes them) is shared as it
     * is: a reopened one would lose RWF_NOWAIT. Other descriptors (sockets) cannot be reopened: their copy shares
     * the parent's description.
     */
    private static int stage(int fd, int lowest, String what) throws IOException {
        int source = fd;
        int reopened = -1;
        int flags = FileCalls.fcntl(fd, FileCalls.F_GETFL, 0);
        boolean nonBlocking = flags >= 0 && (flags & FileCalls.O_NONBLOCK) != 0;
        if (nonBlocking && FileCalls.fcntl(fd, FileCalls.F_GETPIPE_SZ, 0) >= 0) {
            int access = flags & 3;
            reopened = FileCalls.open("/proc/self/fd/" + fd, access | FileCalls.O_NONBLOCK | FileCalls.O_CLOEXEC, 0);
            source = reopened >= 0 ? reopened : fd; // ENXIO: a FIFO writer with no reader; share instead
        }
        try {
            int copy = Failures.check(FileCalls.fcntl(source, FileCalls.F_DUPFD_CLOEXEC, lowest), "fcntl(F_DUPFD_CLOEXEC)",
                    what);
            int r = FileCalls.setNonBlocking(copy, false);
            if (r < 0) {
                FileCalls.closeQuietly(copy);
                throw Failures.of("fcntl(F_SETFL)", what, -r);
            }
            return copy;
        } finally {
            FileCalls.closeQuietly(reopened);
        }
    }

    private static int spawnStaged(Arena arena, List<String> argv, Map<String, String> environment,
                                   String directory, Map<Integer, Integer> staged, int highestTarget,
                                   boolean newProcessGroup) throws IOException {
        MemorySegment actions = arena.allocate(OPAQUE_BYTES, 16);
        MemorySegment attributes = arena.allocate(OPAQUE_BYTES, 16);
        check("posix_spawn_file_actions_init", invoke(FA_INIT, actions));
        check("posix_spawnattr_init", invoke(ATTR_INIT, attributes));
        try {
            addFileActions(arena, actions, staged, highestTarget, directory);
            setAttributes(arena, attributes, newProcessGroup);
            MemorySegment pid = arena.allocate(JAVA_INT);
            MemorySegment file = arena.allocateFrom(argv.getFirst());
            int r = (int) SPAWNP.invokeExact(pid, file, actions, attributes,
                    stringArray(arena, argv), stringArray(arena, environmentLines(environment)));
            if (r != 0) {
                throw Failures.of("posix_spawnp", String.join(" ", argv), r, r == Errno.ENOENT
                        ? "no such program (or working directory); check the name and PATH" : null);
            }
            return pid.get(JAVA_INT, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        } finally {
            invoke(FA_DESTROY, actions);
            invoke(ATTR_DESTROY, attributes);
        }
    }

    private static void addFileActions(Arena arena, MemorySegment actions, Map<Integer, Integer> staged,
                                       int highestTarget, String directory) throws Throwable {
        for (var entry : staged.entrySet()) {
            check("posix_spawn_file_actions_adddup2",
                    (int) FA_ADDDUP2.invokeExact(actions, (int) entry.getValue(), (int) entry.getKey()));
        }
        // glibc ignores EBADF from these closes: closing a number that is not open is harmless.
        for (int fd = 3; fd <= highestTarget; fd++) {
            if (!staged.containsKey(fd)) {
                check("posix_spawn_file_actions_addclose", (int) FA_ADDCLOSE.invokeExact(actions, fd));
            }
        }
        if (FA_ADDCLOSEFROM.isPresent()) {
            check("posix_spawn_file_actions_addclosefrom_np",
                    (int) FA_ADDCLOSEFROM.get().invokeExact(actions, highestTarget + 1));
        } else {
            for (int fd : OpenDescriptors.list()) {
                if (fd > highestTarget) {
                    check("posix_spawn_file_actions_addclose", (int) FA_ADDCLOSE.invokeExact(actions, fd));
                }
            }
        }
        if (directory != null) {
            MethodHandle chdir = FA_ADDCHDIR.orElseThrow(() -> new UnsupportedOperationException(
                    "this C library has no posix_spawn_file_actions_addchdir_np (glibc 2.29+)"));
            check("posix_spawn_file_actions_addchdir_np",
                    (int) chdir.invokeExact(actions, arena.allocateFrom(directory)));
        }
    }

    private static void setAttributes(Arena arena, MemorySegment attributes, boolean newProcessGroup)
            throws Throwable {
        MemorySegment emptySet = arena.allocate(SIGSET_BYTES, 8);
        MemorySegment fullSet = arena.allocate(SIGSET_BYTES, 8);
        int ignored = (int) SIGEMPTYSET.invokeExact(emptySet);
        ignored = (int) SIGFILLSET.invokeExact(fullSet);
        int flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        if (newProcessGroup) {
            flags |= POSIX_SPAWN_SETPGROUP;
            check("posix_spawnattr_setpgroup", (int) ATTR_SETPGROUP.invokeExact(attributes, 0));
        }
        check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attributes, (short) flags));
        check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attributes, emptySet));
        check("posix_spawnattr_setsigdefault", (int) ATTR_SETSIGDEFAULT.invokeExact(attributes, fullSet));
    }

    private static List<String> environmentLines(Map<String, String> environment) {
        return environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /** A NULL-terminated {@code char *[]}. */
    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static int invoke(MethodHandle handle, MemorySegment argument) {
        try {
            return (int) handle.invokeExact(argument);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void check(String call, int result) throws IOException {
        if (result != 0) {
            throw Failures.of(call, "spawn set-up", result);
        }
    }
}
