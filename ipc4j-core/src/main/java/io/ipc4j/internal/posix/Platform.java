package io.ipc4j.internal.posix;

import io.ipc4j.UnsupportedPlatformException;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The platforms ipc4j supports, Linux with glibc on x86-64 and on aarch64, and what differs between them:
 * syscall numbers, open(2) flags and struct layouts. Every value comes from the platform's C headers;
 * PlatformTablesTest compiles a probe for each architecture (aarch64's run under qemu) and proves these
 * tables, and every constant the native layer shares between the two, equal to what the headers say.
 *
 * <p>Anywhere else, {@link #HOST} is null and {@link Libc} links every symbol to a handle that throws
 * {@link UnsupportedPlatformException}: the first native call fails with one clear exception, never a
 * call whose number or layout is wrong there.
 */
public enum Platform {
    X86_64("x86-64", 202, 324, 186, 297, 040000,
            // struct stat: st_nlink is 8 bytes and comes before st_mode
            MemoryLayout.structLayout(JAVA_LONG.withName("st_dev"), JAVA_LONG.withName("st_ino"),
                    JAVA_LONG.withName("st_nlink"), JAVA_INT.withName("st_mode"), JAVA_INT.withName("st_uid"),
                    JAVA_INT.withName("st_gid"), MemoryLayout.paddingLayout(4), JAVA_LONG.withName("st_rdev"),
                    JAVA_LONG.withName("st_size"), MemoryLayout.paddingLayout(88)),
            // struct semid_ds: each time has a high word beside it
            MemoryLayout.structLayout(Layouts.IPC_PERM.withName("sem_perm"), JAVA_LONG.withName("sem_otime"),
                    MemoryLayout.paddingLayout(8), JAVA_LONG.withName("sem_ctime"), MemoryLayout.paddingLayout(8),
                    JAVA_LONG.withName("sem_nsems"), MemoryLayout.paddingLayout(16)),
            // struct epoll_event: __attribute__((packed)) on x86-64 only
            MemoryLayout.structLayout(JAVA_INT.withName("events"), JAVA_LONG.withByteAlignment(4).withName("data"))),
    AARCH64("aarch64", 98, 283, 178, 240, 0200000,
            // the generic struct stat: st_mode, then a 4-byte st_nlink
            MemoryLayout.structLayout(JAVA_LONG.withName("st_dev"), JAVA_LONG.withName("st_ino"),
                    JAVA_INT.withName("st_mode"), JAVA_INT.withName("st_nlink"), JAVA_INT.withName("st_uid"),
                    JAVA_INT.withName("st_gid"), JAVA_LONG.withName("st_rdev"), MemoryLayout.paddingLayout(8),
                    JAVA_LONG.withName("st_size"), MemoryLayout.paddingLayout(72)),
            MemoryLayout.structLayout(Layouts.IPC_PERM.withName("sem_perm"), JAVA_LONG.withName("sem_otime"),
                    JAVA_LONG.withName("sem_ctime"), JAVA_LONG.withName("sem_nsems"), MemoryLayout.paddingLayout(16)),
            MemoryLayout.structLayout(JAVA_INT.withName("events"), MemoryLayout.paddingLayout(4),
                    JAVA_LONG.withName("data")));

    /** The platform this JVM runs on, or null if ipc4j does not support it ({@link #refusal()} says why). */
    public static final Platform HOST;
    private static final String FOUND;

    static {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        Platform cpu = switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            default -> null;
        };
        boolean linux = "Linux".equals(os);
        boolean glibc = linux && cpu != null && hasGlibc();
        HOST = glibc ? cpu : null;
        FOUND = os + " on " + arch + (linux && cpu != null && !glibc ? " with a C library other than glibc" : "");
    }

    /** The architecture's name, as the error messages and the tests write it. */
    public final String label;
    /** Syscall numbers of the calls glibc has no wrapper for (or none old enough). */
    public final long sysFutex;
    public final long sysMembarrier;
    public final long sysGettid;
    public final long sysRtTgsigqueueinfo;
    /** Syscalls numbered after the tables were unified (Linux 5.1): the same on every architecture. */
    public final long sysPidfdSendSignal = 424;
    public final long sysPidfdOpen = 434;
    public final long sysPidfdGetfd = 438;
    public final long sysIoUringSetup = 425;
    public final long sysIoUringEnter = 426;
    /** O_DIRECT, as /proc/PID/fdinfo shows it. */
    public final int oDirect;
    /** {@code struct stat}. */
    public final StructLayout stat;
    /** {@code struct semid_ds}. */
    public final StructLayout semidDs;
    /** {@code struct epoll_event}. */
    public final StructLayout epollEvent;

    Platform(String label, long sysFutex, long sysMembarrier, long sysGettid, long sysRtTgsigqueueinfo, int oDirect,
             StructLayout stat, StructLayout semidDs, StructLayout epollEvent) {
        this.label = label;
        this.sysFutex = sysFutex;
        this.sysMembarrier = sysMembarrier;
        this.sysGettid = sysGettid;
        this.sysRtTgsigqueueinfo = sysRtTgsigqueueinfo;
        this.oDirect = oDirect;
        this.stat = stat.withName("stat");
        this.semidDs = semidDs.withName("semid_ds");
        this.epollEvent = epollEvent.withName("epoll_event");
    }

    /**
     * The host's tables. On an unsupported platform the x86-64 ones stand in, so that classes holding them
     * can initialise: nothing reads them there, since every downcall throws first (see {@link Libc}).
     */
    public static Platform tables() {
        return HOST != null ? HOST : X86_64;
    }

    /** The exception every native call throws on an unsupported platform. */
    public static UnsupportedPlatformException refusal() {
        return new UnsupportedPlatformException("ipc4j supports Linux with glibc on x86-64 (amd64) and aarch64;"
                + " this is " + FOUND + ". No native call is made here: the syscall numbers and struct layouts"
                + " ipc4j knows would be wrong");
    }

    @Override
    public String toString() {
        return label.toLowerCase(Locale.ROOT);
    }

    /** Whether the C library is glibc: only glibc has gnu_get_libc_version. */
    private static boolean hasGlibc() {
        try {
            return Linker.nativeLinker().defaultLookup().find("gnu_get_libc_version").isPresent();
        } catch (UnsupportedOperationException e) { // no linker for this platform at all
            return false;
        }
    }
}
