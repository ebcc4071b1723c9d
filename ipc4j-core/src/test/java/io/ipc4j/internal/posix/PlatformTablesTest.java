package io.ipc4j.internal.posix;

import io.ipc4j.UnsupportedPlatformException;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.testing.CPrograms;
import io.ipc4j.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Proves the native layer's tables equal to what the C headers say, for x86-64 and for aarch64: a probe
 * generated from the Java side (every C-named constant of the call classes, every struct layout's size and
 * named offsets, the syscall numbers, the signal numbers) is compiled with the platform's C compiler (for
 * aarch64, Debian's gcc-aarch64-linux-gnu, run under qemu-user-static) and prints the C values; the two
 * must agree exactly. A value that differs by architecture belongs in {@link Platform}'s per-architecture
 * tables, and this test says which.
 */
class PlatformTablesTest {
    /** The classes whose upper-case int and long constants carry C names. */
    private static final List<Class<?>> CALLS = List.of(FileCalls.class, ProcessCalls.class, SocketCalls.class, MessageQueueCalls.class,
            SyncCalls.class, MemoryCalls.class, SignalCalls.class, EventCalls.class, EpollCalls.class, Errno.class,
            PosixSpawn.class, SockDiag.class, UringCalls.class);
    private static final Pattern C_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** C enumerators with no macro of their name: compared without the #ifdef. */
    private static final java.util.Set<String> ENUMERATORS = java.util.Set.of("MEMBARRIER_CMD_QUERY",
            "MEMBARRIER_CMD_GLOBAL_EXPEDITED", "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED", "UNIX_DIAG_NAME",
            "UNIX_DIAG_PEER", "UNIX_DIAG_ICONS", "UNIX_DIAG_RQLEN", "IORING_OP_SEND", "IORING_OP_RECV");
    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <limits.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <unistd.h>
            #include <poll.h>
            #include <signal.h>
            #include <spawn.h>
            #include <mqueue.h>
            #include <time.h>
            #include <sys/stat.h>
            #include <sys/ipc.h>
            #include <sys/msg.h>
            #include <sys/shm.h>
            #include <sys/sem.h>
            #include <sys/epoll.h>
            #include <sys/eventfd.h>
            #include <sys/timerfd.h>
            #include <sys/signalfd.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <sys/mman.h>
            #include <sys/syscall.h>
            #include <sys/uio.h>
            #include <sys/wait.h>
            #include <netinet/in.h>
            #include <netinet/tcp.h>
            #include <linux/futex.h>
            #include <linux/membarrier.h>
            #include <linux/netlink.h>
            #include <linux/sock_diag.h>
            #include <linux/unix_diag.h>
            #include <linux/netlink.h>
            #include <linux/sock_diag.h>
            #include <linux/unix_diag.h>
            #include <linux/io_uring.h>
            """;

    @Test
    void x86_64TablesEqualTheHeaders() throws Exception {
        boolean host = isHost("amd64", "x86_64");
        compare(Platform.X86_64, host ? "cc" : "x86_64-linux-gnu-gcc", host ? "gcc" : "gcc-x86-64-linux-gnu",
                host ? null : "qemu-x86_64-static");
    }

    @Test
    void aarch64TablesEqualTheHeaders() throws Exception {
        boolean host = isHost("aarch64");
        compare(Platform.AARCH64, host ? "cc" : "aarch64-linux-gnu-gcc", host ? "gcc" : "gcc-aarch64-linux-gnu",
                host ? null : "qemu-aarch64-static");
    }

    /** The C peers the tests run beside Java build for aarch64 too (no x86-only code in them). */
    @Test
    void theTestsCPeersBuildForAarch64() throws Exception {
        try (var sources = Files.list(Path.of("src/test/c"))) {
            List<Path> peers = sources.filter(f -> f.toString().endsWith(".c")).sorted().toList();
            assertTrue(peers.size() >= 2, peers.toString());
            for (Path c : peers) {
                String name = c.getFileName().toString().replace(".c", "");
                Path binary = CPrograms.compileForAarch64(c, Path.of("target/c-aarch64", name).toAbsolutePath());
                assertTrue(Files.isExecutable(binary), binary.toString());
            }
        }
    }

    @Test
    void theHostIsOneOfTheTables() {
        assertEquals(isHost("aarch64") ? Platform.AARCH64 : Platform.X86_64, Platform.HOST);
    }

    /** Another architecture: the first native call throws the one clear exception (no wrong call, no crash). */
    @Test
    void anotherPlatformIsRefusedAtFirstUse() throws Exception {
        ChildJvm.Result r = ChildJvm.of(OpenAPipe.class).jvmOption("-Dos.arch=sparcv9")
                .run(ChildJvm.DEFAULT_TIMEOUT);
        assertEquals(0, r.status().code(), r.describe());
        assertEquals(List.of("io.ipc4j.UnsupportedPlatformException: ipc4j supports Linux with glibc on x86-64"
                        + " (amd64) and aarch64; this is Linux on sparcv9. No native call is made here: the syscall"
                        + " numbers and struct layouts ipc4j knows would be wrong", "again: same"),
                r.stdoutLines(), r.describe());
    }

    /** Child: opens a pipe twice on a platform it claims to be, printing what each attempt throws. */
    public static final class OpenAPipe {
        public static void main(String[] args) throws IOException {
            String first = attempt();
            System.out.println(first);
            System.out.println("again: " + (attempt().equals(first) ? "same" : attempt()));
        }

        @SuppressWarnings("try") // opening is the test
        private static String attempt() throws IOException {
            try (Pipe ignored = Pipe.open()) {
                return "opened a pipe";
            } catch (UnsupportedPlatformException e) {
                return e.getClass().getName() + ": " + e.getMessage();
            }
        }
    }

    private static boolean isHost(String... arches) {
        return List.of(arches).contains(System.getProperty("os.arch"));
    }

    private static void compare(Platform platform, String compiler, String compilerPackage, String emulator)
            throws Exception {
        Map<String, Check> checks = checks(platform);
        Path dir = Path.of("target/platform-probe", platform.label).toAbsolutePath();
        Files.createDirectories(dir);
        Path source = dir.resolve("probe.c");
        Files.writeString(source, probe(checks.values()));
        Path binary = dir.resolve("probe");
        CPrograms.requireTool(compiler, compilerPackage);
        CPrograms.run(List.of(compiler, "-static", "-Wall", "-Werror", "-o", binary.toString(), source.toString()));
        List<String> command = new ArrayList<>();
        if (emulator != null) {
            CPrograms.requireTool(emulator, "qemu-user-static");
            command.add(emulator);
        }
        command.add(binary.toString());
        Map<String, String> c = new LinkedHashMap<>();
        for (String line : CPrograms.run(command).lines().toList()) {
            int eq = line.indexOf('=');
            c.put(line.substring(0, eq), line.substring(eq + 1));
        }
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (Check check : checks.values()) {
            String value = c.get(check.label());
            assertTrue(value != null, "the probe printed nothing for " + check.label());
            if (value.equals("undefined")) {
                continue; // a Java name that is no C macro (an offset, a size of ours)
            }
            compared++;
            long cValue = Long.parseLong(value);
            if (check.int32() ? (int) cValue != (int) check.java() : cValue != check.java()) {
                wrong.add(check.label() + ": Java " + check.java() + ", C " + cValue);
            }
        }
        assertEquals(List.of(), wrong, platform.label + ": Java tables that differ from the C headers");
        assertTrue(compared > 150, "only " + compared + " values compared: the probe generator is broken");
    }

    /** One value to compare: its label, the C expression that computes it, and the Java value. */
    private record Check(String label, String c, long java, boolean int32, String macro) {
    }

    private static Map<String, Check> checks(Platform p) throws ReflectiveOperationException {
        Map<String, Check> checks = new LinkedHashMap<>();
        for (Class<?> type : CALLS) {
            for (Field f : type.getDeclaredFields()) {
                boolean constant = Modifier.isStatic(f.getModifiers()) && Modifier.isFinal(f.getModifiers())
                        && (f.getType() == int.class || f.getType() == long.class);
                if (constant && C_NAME.matcher(f.getName()).matches() && !f.getName().startsWith("SYS_")) {
                    f.setAccessible(true);
                    long value = ((Number) f.get(null)).longValue();
                    add(checks, new Check(f.getName(), f.getName(), value, f.getType() == int.class,
                            ENUMERATORS.contains(f.getName()) ? null : f.getName()));
                }
            }
        }
        String[] syscalls = {"futex", "membarrier", "gettid", "rt_tgsigqueueinfo", "pidfd_open", "pidfd_getfd",
                "pidfd_send_signal", "io_uring_setup", "io_uring_enter"};
        long[] numbers = {p.sysFutex, p.sysMembarrier, p.sysGettid, p.sysRtTgsigqueueinfo, p.sysPidfdOpen,
                p.sysPidfdGetfd, p.sysPidfdSendSignal, p.sysIoUringSetup, p.sysIoUringEnter};
        for (int i = 0; i < syscalls.length; i++) {
            add(checks, new Check("SYS_" + syscalls[i], "SYS_" + syscalls[i], numbers[i], false, null));
        }
        add(checks, new Check("O_DIRECT", "O_DIRECT", p.oDirect, true, null));
        struct(checks, "struct stat", p.stat);
        struct(checks, "struct semid_ds", p.semidDs);
        struct(checks, "struct epoll_event", p.epollEvent);
        struct(checks, "struct ipc_perm", Layouts.IPC_PERM);
        struct(checks, "struct msqid_ds", MessageQueueCalls.MSQID_DS);
        struct(checks, "struct shmid_ds", MemoryCalls.SHMID_DS);
        struct(checks, "struct mq_attr", MessageQueueCalls.MQ_ATTR);
        struct(checks, "struct timespec", SyncCalls.TIMESPEC);
        struct(checks, "struct sembuf", SyncCalls.SEMBUF);
        struct(checks, "struct iovec", SocketCalls.IOVEC);
        struct(checks, "struct msghdr", SocketCalls.MSGHDR);
        struct(checks, "struct cmsghdr", SocketCalls.CMSGHDR);
        struct(checks, "struct sockaddr_un", SocketCalls.SOCKADDR_UN);
        struct(checks, "struct sockaddr_in", SocketCalls.SOCKADDR_IN);
        struct(checks, "struct sockaddr_in6", SocketCalls.SOCKADDR_IN6);
        struct(checks, "struct nlmsghdr", SockDiag.NLMSGHDR);
        struct(checks, "struct unix_diag_req", SockDiag.UNIX_DIAG_REQ);
        struct(checks, "struct unix_diag_msg", SockDiag.UNIX_DIAG_MSG);
        struct(checks, "struct nlattr", SockDiag.NLATTR);
        struct(checks, "struct io_uring_params", UringCalls.PARAMS);
        struct(checks, "struct io_sqring_offsets", UringCalls.SQRING_OFFSETS);
        struct(checks, "struct io_cqring_offsets", UringCalls.CQRING_OFFSETS);
        struct(checks, "struct io_uring_sqe", UringCalls.SQE);
        struct(checks, "struct io_uring_cqe", UringCalls.CQE);
        struct(checks, "struct pollfd", (StructLayout) privateField(FileCalls.class, "POLLFD"));
        add(checks, new Check("SocketCalls.CMSG_HEADER", "CMSG_LEN(0)", SocketCalls.CMSG_HEADER, false, null));
        add(checks, new Check("SocketCalls.SOCKADDR_STORAGE", "sizeof(struct sockaddr_storage)",
                SocketCalls.SOCKADDR_STORAGE, false, null));
        struct(checks, "struct signalfd_siginfo", SignalCalls.SIGNALFD_SIGINFO);
        struct(checks, "siginfo_t", (StructLayout) privateField(SignalCalls.class, "SIGINFO"));
        add(checks, new Check("SignalCalls.SIGSET_BYTES", "sizeof(sigset_t)",
                (long) privateField(SignalCalls.class, "SIGSET_BYTES"), false, null));
        long opaque = (long) privateField(PosixSpawn.class, "OPAQUE_BYTES");
        add(checks, new Check("posix_spawnattr_t fits", "sizeof(posix_spawnattr_t) <= " + opaque, 1, false, null));
        add(checks, new Check("posix_spawn_file_actions_t fits", "sizeof(posix_spawn_file_actions_t) <= " + opaque,
                1, false, null));
        String[] names = (String[]) privateField(io.ipc4j.signal.Signal.class, "NAMES");
        for (int n = 1; n < names.length; n++) {
            add(checks, new Check("SIG" + names[n], "SIG" + names[n], n, true, null));
        }
        add(checks, new Check("SIGRTMIN", "SIGRTMIN", io.ipc4j.signal.Signal.RTMIN, true, null));
        add(checks, new Check("SIGRTMAX", "SIGRTMAX", io.ipc4j.signal.Signal.RTMAX, true, null));
        return checks;
    }

    /** The size of {@code layout} and the offset of each of its named members. */
    private static void struct(Map<String, Check> checks, String cType, GroupLayout layout) {
        add(checks, new Check("sizeof(" + cType + ")", "sizeof(" + cType + ")", layout.byteSize(), false, null));
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof PaddingLayout || member.name().isEmpty()) {
                continue;
            }
            String name = member.name().get();
            add(checks, new Check("offsetof(" + cType + ", " + name + ")", "offsetof(" + cType + ", " + name + ")",
                    layout.byteOffset(MemoryLayout.PathElement.groupElement(name)), false, null));
        }
    }

    private static void add(Map<String, Check> checks, Check check) {
        Check before = checks.putIfAbsent(check.label(), check);
        if (before != null && before.java() != check.java()) {
            fail(check.label() + " has two values in the Java tables: " + before.java() + " and " + check.java());
        }
    }

    private static Object privateField(Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }

    private static String probe(Iterable<Check> checks) {
        StringBuilder c = new StringBuilder(HEADERS).append("int main(void) {\n");
        for (Check check : checks) {
            String print = "    printf(\"%s=%lld\\n\", \"" + check.label() + "\", (long long) (" + check.c() + "));\n";
            if (check.macro() == null) {
                c.append(print);
            } else { // a Java constant: compared only where C defines a macro of that name
                c.append("#ifdef ").append(check.macro()).append('\n').append(print).append("#else\n")
                        .append("    printf(\"%s=undefined\\n\", \"").append(check.label()).append("\");\n#endif\n");
            }
        }
        return c.append("    return 0;\n}\n").toString();
    }

}
