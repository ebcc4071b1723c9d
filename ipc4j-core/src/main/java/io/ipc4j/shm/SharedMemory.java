package io.ipc4j.shm;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MemoryCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * POSIX shared memory (shm_overview(7)): a named object, mapped into this process as a {@link MemorySegment}
 * that other processes (C, Python's multiprocessing.shared_memory, Java) map by the same name.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("/frames", 1 << 20)) {
 *     shm.segment().setString(0, "hello");         // visible at once in every process that mapped it
 * } finally {
 *     SharedMemory.unlink("/frames");               // the object outlives every process
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>The segment is bounds-checked (IndexOutOfBoundsException) and, after {@link #close()}, dead
 * (IllegalStateException): no access through it can crash the JVM, with one exception the kernel imposes:</li>
 * <li>Truncation: if another process shrinks the object (ftruncate), touching the pages past its new end
 * raises SIGBUS, which the JVM turns into {@link InternalError} ("a fault occurred in an unsafe memory
 * access"); it does not crash. {@link #objectSize()} tells the current size. Growing it elsewhere does not
 * grow this mapping.</li>
 * <li>Unlink: removing the name does not affect existing mappings; the memory is freed when the last process
 * unmaps it. A new object created under the same name is a different object.</li>
 * <li>Closing unmaps, after any access in flight in another thread has failed (shared arena).</li>
 * </ul>
 */
public final class SharedMemory implements AutoCloseable {
    private final String name;
    private final Arena arena;
    private final MemorySegment segment;
    private final int fd;
    private final SharedBuffer buffer;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private SharedMemory(String name, int fd, long size, boolean writable) throws IOException {
        this.name = name;
        this.fd = fd;
        MemorySegment address = MemoryCalls.mmapShared(fd, size, writable);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            FileCalls.closeQuietly(fd);
            throw Failures.of("mmap", name + ", " + size + " bytes", errno);
        }
        this.arena = Arena.ofShared();
        MemorySegment mapped = MemoryCalls.adoptMapping(address, size, arena);
        this.segment = writable ? mapped : mapped.asReadOnly();
        this.buffer = new SharedBuffer(segment);
    }

    /**
     * Creates a new object of {@code size} bytes (zero-filled), mode 0600; FileAlreadyExistsException if it exists.
     *
     * @param name its name
     * @param size the size in bytes
     * @return the {@code SharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SharedMemory create(String name, long size) throws IOException {
        return create(name, size, 0600);
    }

    /**
     * Creates a new object of {@code size} bytes with {@code mode} (filtered by the umask).
     *
     * @param name its name
     * @param size the size in bytes
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code SharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SharedMemory create(String name, long size, int mode) throws IOException {
        checkSize(size);
        int fd = open(name, FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_EXCL, mode);
        int r = MemoryCalls.ftruncate(fd, size);
        if (r < 0) {
            FileCalls.closeQuietly(fd);
            MemoryCalls.shmUnlink(name);
            throw Failures.of("ftruncate", name + " to " + size + " bytes", -r);
        }
        return new SharedMemory(name, fd, size, true);
    }

    /**
     * Opens an existing object read-write and maps all of it.
     *
     * @param name its name
     * @return the {@code SharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SharedMemory open(String name) throws IOException {
        return openExisting(name, true);
    }

    /**
     * Opens an existing object read-only: writes through the segment throw IllegalArgumentException.
     *
     * @param name its name
     * @return the object, mapped read-only
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SharedMemory openReadOnly(String name) throws IOException {
        return openExisting(name, false);
    }

    private static SharedMemory openExisting(String name, boolean writable) throws IOException {
        int fd = open(name, writable ? FileCalls.O_RDWR : FileCalls.O_RDONLY, 0);
        long size = MemoryCalls.fileSize(fd);
        if (size <= 0) {
            FileCalls.closeQuietly(fd);
            throw size == 0 ? new IOException("shared memory " + name + " has size 0: its creator has not sized it "
                    + "yet (ftruncate); open it after the creator is ready") : Failures.of("fstat", name, (int) -size);
        }
        return new SharedMemory(name, fd, size, writable);
    }

    private static int open(String name, int flags, int mode) throws IOException {
        int fd = MemoryCalls.shmOpen(checkName(name), flags | FileCalls.O_CLOEXEC, mode);
        if (fd < 0) {
            throw Failures.of("shm_open", name, -fd, -fd == Errno.ENOENT ? "no shared memory object has this name"
                    : null);
        }
        return fd;
    }

    static String checkName(String name) {
        if (name == null || !name.startsWith("/") || name.length() < 2 || name.indexOf('/', 1) >= 0
                || name.length() > 255) {
            throw new IllegalArgumentException("bad POSIX shared memory name \"" + name + "\": a name is one '/' "
                    + "followed by 1 to 254 characters with no other '/', e.g. \"/frames\"");
        }
        return name;
    }

    private static void checkSize(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("shared memory size must be positive: " + size);
        }
    }

    /**
     * Removes the name (shm_unlink); false if there was none. Mappings stay valid.
     *
     * @param name its name
     * @return true if the name was removed, false if there was none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static boolean unlink(String name) throws IOException {
        int r = MemoryCalls.shmUnlink(checkName(name));
        if (r == -Errno.ENOENT) {
            return false;
        }
        if (r < 0) {
            throw Failures.of("shm_unlink", name, -r);
        }
        return true;
    }

    /**
     * Removes this object's name (see {@link #unlink(String)}).
     *
     * @return true if the name was removed, false if it was gone
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean unlink() throws IOException {
        return unlink(name);
    }

    /**
     * The mapping: zero-copy access to the shared bytes.
     *
     * @return the mapping: zero-copy access to the shared bytes
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Atomic and ordered access to the mapping.
     *
     * @return atomic and ordered access to the mapping
     */
    public SharedBuffer buffer() {
        return buffer;
    }

    /**
     * The mapped size in bytes.
     *
     * @return the mapped size in bytes
     */
    public long size() {
        return segment.byteSize();
    }

    /**
     * The object's size now (fstat), which another process may have changed since it was mapped.
     *
     * @return the object's size now
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public long objectSize() throws IOException {
        long size = MemoryCalls.fileSize(fd);
        if (size < 0) {
            throw Failures.of("fstat", name, (int) -size);
        }
        return size;
    }

    /** {@return the object's name} */
    public String name() {
        return name;
    }

    /** Unmaps; the object and its contents stay until unlinked. Harmless twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
            FileCalls.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "POSIX shared memory " + name + " (" + size() + " bytes)";
    }
}
