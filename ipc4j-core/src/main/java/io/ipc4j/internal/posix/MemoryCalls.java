package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings for shared memory: POSIX shm_open/mmap and System V shm*. They return the C result or
 * {@code -errno}; the caller in {@code io.ipc4j.shm} turns failures into exceptions through {@link Failures}.
 */
public final class MemoryCalls {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    public static final int SHM_RDONLY = 010000;
    public static final int IPC_STAT = 2;
    public static final int IPC_RMID = 0;

    /** {@code struct stat}: 144 bytes on x86-64, 128 on aarch64. */
    public static final StructLayout STAT = Platform.tables().stat;

    /** glibc's {@code struct shmid_ds}, 112 bytes on x86-64 and aarch64. */
    public static final StructLayout SHMID_DS = MemoryLayout.structLayout(
            Layouts.IPC_PERM.withName("shm_perm"), JAVA_LONG.withName("shm_segsz"),
            JAVA_LONG.withName("shm_atime"), JAVA_LONG.withName("shm_dtime"), JAVA_LONG.withName("shm_ctime"),
            JAVA_INT.withName("shm_cpid"), JAVA_INT.withName("shm_lpid"), JAVA_LONG.withName("shm_nattch"),
            JAVA_LONG.withName("__glibc_reserved5"), JAVA_LONG.withName("__glibc_reserved6"));

    /**
     * The length from which {@link #copy} hands a copy to the C library. Measured on a 2-vCPU AMD EPYC VM
     * (2026-12-02/03). The JVM's copy stub stalls when another CPU holds the target's cache lines, as in a ring
     * whose receiver has just read them: copying into such lines took the stub 40 ns at 3.5 KiB, then 180 ns at
     * 4,032 bytes, 570 at 8 KiB and 2,250 at 16 KiB, against glibc's memmove 41, 50, 90 and 300 (two threads on
     * the two CPUs). Up to 3.5 KiB the two tie there, and at 2 KiB the bench's channel streamed faster with the
     * stub; with both buffers in the copying CPU's cache the stub is faster at 4 KiB (21 ns against 38 under
     * JMH), which a ring's copies never are. In the bench's channel round trip, the 4 KiB p50 went from 1.41-1.49x
     * the C ring to 1.03-1.07x, 16 KiB from 2.2x to 1.04-1.08x.
     */
    static final long LIBC_COPY_FROM = 3 * 1024;

    /**
     * void *memmove(void *dest, const void *src, size_t n); critical: it never blocks and never calls back, and
     * may read and write heap memory in place (a heap ByteBuffer's array). glibc's memcpy on x86-64 is the same
     * code; memmove also makes an overlap harmless, as MemorySegment.copy does.
     */
    private static final MethodHandle MEMMOVE = Libc.LINKER == null ? null : Libc.link("memmove",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));

    /** int shm_open(const char *name, int oflag, mode_t mode); (not variadic in glibc's declaration) */
    private static final MethodHandle SHM_OPEN = Libc.linkErrno("shm_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** int shm_unlink(const char *name); */
    private static final MethodHandle SHM_UNLINK = Libc.linkErrno("shm_unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int ftruncate(int fd, off_t length); */
    private static final MethodHandle FTRUNCATE = Libc.linkErrno("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    /** int fstat(int fd, struct stat *statbuf); */
    private static final MethodHandle FSTAT = Libc.linkErrno("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); */
    private static final MethodHandle MMAP = Libc.linkErrno("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    /** int munmap(void *addr, size_t length); */
    private static final MethodHandle MUNMAP = Libc.linkErrno("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    /** int shmget(key_t key, size_t size, int shmflg); */
    private static final MethodHandle SHMGET = Libc.linkErrno("shmget",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    /** void *shmat(int shmid, const void *shmaddr, int shmflg); */
    private static final MethodHandle SHMAT = Libc.linkErrno("shmat",
            FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    /** int shmdt(const void *shmaddr); */
    private static final MethodHandle SHMDT = Libc.linkErrno("shmdt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int shmctl(int shmid, int cmd, struct shmid_ds *buf); */
    private static final MethodHandle SHMCTL = Libc.linkErrno("shmctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private MemoryCalls() {
    }

    /** shm_open(3): a descriptor, or -errno. */
    public static int shmOpen(String name, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return (int) Libc.once(slot -> (int) SHM_OPEN.invokeExact(slot, cName, flags, mode));
        }
    }

    /** shm_unlink(3): 0 or -errno. */
    public static int shmUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return (int) Libc.once(slot -> (int) SHM_UNLINK.invokeExact(slot, cName));
        }
    }

    /** ftruncate(2): 0 or -errno; retried on EINTR. */
    public static int ftruncate(int fd, long length) {
        return (int) Libc.retrying(slot -> (int) FTRUNCATE.invokeExact(slot, fd, length));
    }

    /** fstat(2)'s st_size, or -errno. */
    public static long fileSize(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT);
            long r = Libc.once(slot -> (int) FSTAT.invokeExact(slot, fd, stat));
            return r < 0 ? r : stat.get(JAVA_LONG, STAT.byteOffset(MemoryLayout.PathElement.groupElement("st_size")));
        }
    }

    /** fstat(2)'s st_mode (file type and permissions), or -errno. */
    public static int fileMode(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT);
            long r = Libc.once(slot -> (int) FSTAT.invokeExact(slot, fd, stat));
            return r < 0 ? (int) r
                    : stat.get(JAVA_INT, STAT.byteOffset(MemoryLayout.PathElement.groupElement("st_mode")));
        }
    }

    /** mmap(2) of a whole shared object: the address (a zero-length segment), or a failure {@link #errnoOf} reads. */
    public static MemorySegment mmapShared(int fd, long length, boolean writable) {
        return mmapShared(fd, length, 0L, writable);
    }

    /**
     * mmap(2) of {@code length} bytes of a shared object from {@code offset} (an io_uring's rings are at fixed
     * offsets of its descriptor): the address (a zero-length segment), or a failure {@link #errnoOf} reads.
     */
    public static MemorySegment mmapShared(int fd, long length, long offset, boolean writable) {
        return mmap(length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, offset);
    }

    /**
     * Private anonymous memory of {@code length} bytes that costs address space only until it is written
     * (mmap(2) with MAP_NORESERVE, not zeroed by hand as an arena's allocation is), for an area the kernel rarely
     * writes into: the address (a zero-length segment, for {@link #adoptMapping}), or a failure {@link #errnoOf}
     * reads.
     */
    public static MemorySegment reserveUntouched(long length) {
        return mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
    }

    /** mmap(2) anywhere: the address (a zero-length segment), or a failure {@link #errnoOf} reads. */
    private static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            MemorySegment address = (MemorySegment) MMAP.invokeExact(slot, MemorySegment.NULL, length, prot, flags,
                    fd, offset);
            return address.address() == -1L ? MemorySegment.ofAddress(Libc.errno(slot)) : address;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * The {@code size} bytes mmap returned at {@code address}, as a segment of {@code arena} that unmaps them
     * when the arena closes. The one place outside the downcalls where ipc4j gives raw memory a size: it
     * trusts that mmap mapped that much.
     */
    @SuppressWarnings("restricted")
    public static MemorySegment adoptMapping(MemorySegment address, long size, Arena arena) {
        return address.reinterpret(size, arena, mapping -> munmap(mapping, size));
    }

    /** As {@link #adoptMapping}, for a System V segment that shmat attached: closing the arena detaches it. */
    @SuppressWarnings("restricted")
    public static MemorySegment adoptAttachment(MemorySegment address, long size, Arena arena) {
        return address.reinterpret(size, arena, MemoryCalls::shmdt);
    }

    /** munmap(2): 0 or -errno. */
    public static int munmap(MemorySegment address, long length) {
        return (int) Libc.once(slot -> (int) MUNMAP.invokeExact(slot, address, length));
    }

    /** shmget(2): the id, or -errno. */
    public static int shmget(int key, long size, int flags) {
        return (int) Libc.once(slot -> (int) SHMGET.invokeExact(slot, key, size, flags));
    }

    /** shmat(2): the address, or a failure {@link #errnoOf} reads. */
    public static MemorySegment shmat(int id, boolean readOnly) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            MemorySegment address = (MemorySegment) SHMAT.invokeExact(slot, id, MemorySegment.NULL,
                    readOnly ? SHM_RDONLY : 0);
            return address.address() == -1L ? MemorySegment.ofAddress(Libc.errno(slot)) : address;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** shmdt(2): 0 or -errno. */
    public static int shmdt(MemorySegment address) {
        return (int) Libc.once(slot -> (int) SHMDT.invokeExact(slot, address));
    }

    /** shmctl(2): the result, or -errno. */
    public static int shmctl(int id, int command, MemorySegment buffer) {
        return (int) Libc.once(slot -> (int) SHMCTL.invokeExact(slot, id, command, buffer));
    }

    /**
     * The errno carried by a failed {@link #mmapShared}, {@link #shmat} or {@link SyncCalls#semOpen} result,
     * or 0 if it succeeded: failures are returned as an address below 4096, where no mapping can be.
     */
    public static int errnoOf(MemorySegment result) {
        long a = result.address();
        return a > 0 && a < 4096 ? (int) a : 0;
    }

    /**
     * Copies {@code length} bytes as {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)}
     * does, with the same checks and exceptions, through the C library's memmove from
     * {@link #LIBC_COPY_FROM} bytes up (see there for why). Neither way blocks; the C library's holds off a
     * garbage collection for as long as it copies (a microsecond per 64 KiB here).
     */
    public static void copy(MemorySegment source, long sourceOffset, MemorySegment target, long targetOffset,
                            long length) {
        if (length < LIBC_COPY_FROM || MEMMOVE == null || target.isReadOnly()) {
            MemorySegment.copy(source, sourceOffset, target, targetOffset, length);
            return;
        }
        MemorySegment to = target.asSlice(targetOffset, length);
        MemorySegment from = source.asSlice(sourceOffset, length);
        try {
            MemorySegment ignored = (MemorySegment) MEMMOVE.invokeExact(to, from, length);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
