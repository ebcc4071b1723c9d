package io.ipc4j.shm;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.sysv.SysVKey;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A System V shared memory segment (shmget(2)), named by a {@link SysVKey}; {@link #attach()} maps it.
 *
 * <pre>{@code
 * SysVSharedMemory shm = SysVSharedMemory.create(key, 4096, 0600);
 * try (SysVSharedMemory.Attachment a = shm.attach()) {
 *     a.buffer().putIntRelease(0, 42);
 * } finally {
 *     shm.remove();          // destroyed once the last process detaches
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>A read-only attachment's segment is read-only in Java too: a write throws
 * IllegalArgumentException instead of faulting.</li>
 * <li>{@link #remove()} marks the segment for destruction; attachments keep working until detached, and no
 * new process can attach it by key.</li>
 * <li>This object holds no kernel resource; each {@link Attachment} must be closed (detached).</li>
 * </ul>
 */
public final class SysVSharedMemory {
    private static final int IPC_CREAT = 01000;
    private static final int IPC_EXCL = 02000;

    private final int id;
    private final SysVKey key;

    private SysVSharedMemory(int id, SysVKey key) {
        this.id = id;
        this.key = key;
    }

    /**
     * Creates a new segment of {@code size} bytes; FileAlreadyExistsException if {@code key} has one.
     *
     * @param key the System V key
     * @param size the size in bytes
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code SysVSharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSharedMemory create(SysVKey key, long size, int mode) throws IOException {
        return get(key, size, mode(mode) | IPC_CREAT | IPC_EXCL);
    }

    /**
     * Opens the segment of {@code key}, creating it with {@code size} and {@code mode} if there is none.
     *
     * @param key the System V key
     * @param size the size in bytes
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code SysVSharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSharedMemory openOrCreate(SysVKey key, long size, int mode) throws IOException {
        return get(key, size, mode(mode) | IPC_CREAT);
    }

    /**
     * Opens the existing segment of {@code key}.
     *
     * @param key the System V key
     * @return the {@code SysVSharedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSharedMemory open(SysVKey key) throws IOException {
        return get(key, 0, 0);
    }

    /**
     * The segment with this id (as ipcs shows it).
     *
     * @param id the kernel's identifier
     * @return the segment with this id
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVSharedMemory ofId(int id) throws IOException {
        SysVSharedMemory shm = new SysVSharedMemory(id, null);
        return new SysVSharedMemory(id, shm.status().key());
    }

    private static int mode(int mode) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        return mode;
    }

    private static SysVSharedMemory get(SysVKey key, long size, int flags) throws IOException {
        int id = MemoryCalls.shmget(key.value(), size, flags);
        if (id < 0) {
            throw Failures.of("shmget", "key " + key + ", " + size + " bytes", -id, switch (-id) {
                case Errno.ENOENT -> "no segment has this key: create it first";
                case Errno.EINVAL -> "the size is outside kernel.shmmin..kernel.shmmax, or larger than the existing "
                        + "segment of this key";
                case Errno.ENOSPC -> "the machine's limit on segments (kernel.shmmni) or on shared memory "
                        + "(kernel.shmall) is reached";
                default -> null;
            });
        }
        return new SysVSharedMemory(id, key);
    }

    /**
     * Attaches read-write.
     *
     * @return the {@code Attachment}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Attachment attach() throws IOException {
        return attach(false);
    }

    /**
     * Attaches read-only.
     *
     * @return the {@code Attachment}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public Attachment attachReadOnly() throws IOException {
        return attach(true);
    }

    private Attachment attach(boolean readOnly) throws IOException {
        long size = status().size();
        MemorySegment address = MemoryCalls.shmat(id, readOnly);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            throw Failures.of("shmat", toString(), errno);
        }
        return new Attachment(address, size, readOnly);
    }

    /**
     * The segment's state (shmctl IPC_STAT).
     *
     * @return the segment's state
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public SysVSegmentStatus status() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ds = arena.allocate(MemoryCalls.SHMID_DS);
            int r = MemoryCalls.shmctl(id, MemoryCalls.IPC_STAT, ds);
            if (r < 0) {
                throw Failures.of("shmctl(IPC_STAT)", toString(), -r,
                        -r == Errno.EINVAL || -r == Errno.EIDRM ? "no such segment: it was removed" : null);
            }
            return new SysVSegmentStatus(new SysVKey(perm(ds, "__key")), perm(ds, "mode") & 07777,
                    field(ds, "shm_segsz"), field(ds, "shm_nattch"), intField(ds, "shm_cpid"),
                    intField(ds, "shm_lpid"), time(field(ds, "shm_atime")), time(field(ds, "shm_dtime")),
                    time(field(ds, "shm_ctime")));
        }
    }

    private static int perm(MemorySegment ds, String name) {
        return ds.get(JAVA_INT, offset(groupElement("shm_perm"), groupElement(name)));
    }

    private static long field(MemorySegment ds, String name) {
        return ds.get(JAVA_LONG, offset(groupElement(name)));
    }

    private static int intField(MemorySegment ds, String name) {
        return ds.get(JAVA_INT, offset(groupElement(name)));
    }

    private static long offset(MemoryLayout.PathElement... path) {
        return MemoryCalls.SHMID_DS.byteOffset(path);
    }

    private static Instant time(long seconds) {
        return seconds == 0 ? null : Instant.ofEpochSecond(seconds);
    }

    /**
     * Marks the segment for destruction (IPC_RMID): it goes when the last process detaches.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void remove() throws IOException {
        int r = MemoryCalls.shmctl(id, MemoryCalls.IPC_RMID, MemorySegment.NULL);
        if (r < 0) {
            throw Failures.of("shmctl(IPC_RMID)", toString(), -r);
        }
    }

    /** {@return the kernel's identifier of the segment} */
    public int id() {
        return id;
    }

    /** {@return the key it was made or found with} */
    public SysVKey key() {
        return key;
    }

    @Override
    public String toString() {
        return "System V segment id " + id + (key == null ? "" : " (key " + key + ")");
    }

    /** One attachment (shmat) of the segment in this process; closing detaches it (shmdt). */
    public static final class Attachment implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment segment;
        private final SharedBuffer buffer;
        private final AtomicBoolean closed = new AtomicBoolean();

        Attachment(MemorySegment address, long size, boolean readOnly) {
            MemorySegment mapped = MemoryCalls.adoptAttachment(address, size, arena);
            this.segment = readOnly ? mapped.asReadOnly() : mapped;
            this.buffer = new SharedBuffer(segment);
        }

        /** {@return the attached memory} */
        public MemorySegment segment() {
            return segment;
        }

        /** {@return atomic and ordered access to the attached memory} */
        public SharedBuffer buffer() {
            return buffer;
        }

        /** Detaches; the segment stays until removed. Harmless twice. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                arena.close();
            }
        }
    }
}
