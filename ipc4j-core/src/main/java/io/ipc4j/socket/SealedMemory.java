package io.ipc4j.socket;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MemoryCalls;
import io.ipc4j.internal.posix.SocketCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A large payload sent by handle: an anonymous memory file (memfd) filled once, then sealed so that nobody,
 * not even its creator, can change, shrink or grow it. Send it with
 * {@link NativeSocket#sendDescriptors}; the receiver maps it read-only with
 * {@link PassedDescriptor#mapSealed()} and reads it in place: no byte goes through the socket, and the seals
 * guarantee it does not change under the reader (and cannot be truncated to crash it with SIGBUS).
 *
 * <p>The memory lives until the last descriptor and mapping of it, in any process, is closed.
 */
public final class SealedMemory extends DescriptorOwner {
    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1;
    private static final int F_SEAL_SHRINK = 2;
    private static final int F_SEAL_GROW = 4;
    private static final int F_SEAL_WRITE = 8;
    private static final int REQUIRED_SEALS = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

    private final String name;
    private final long size;

    private SealedMemory(int fd, String name, long size) {
        super(fd);
        this.name = name;
        this.size = size;
    }

    /**
     * A sealed copy of {@code content}.
     *
     * @param name its name
     * @param content the content
     * @return a sealed copy of {@code content}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SealedMemory of(String name, MemorySegment content) throws IOException {
        return write(name, content.byteSize(), target -> MemorySegment.copy(content, 0, target, 0, content.byteSize()));
    }

    /**
     * A sealed copy of {@code content}.
     *
     * @param name its name
     * @param content the content
     * @return a sealed copy of {@code content}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SealedMemory of(String name, byte[] content) throws IOException {
        return of(name, MemorySegment.ofArray(content));
    }

    /**
     * Makes {@code size} bytes, lets {@code filler} write them (the segment is valid only during the call),
     * then seals them.
     *
     * @param size the size in bytes
     * @param filler writes the content, once, before the memory is sealed
     * @param name shown in /proc/PID/fd as {@code /memfd:NAME}; at most 249 bytes.
     * @return the {@code SealedMemory}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SealedMemory write(String name, long size, Consumer<MemorySegment> filler) throws IOException {
        Objects.requireNonNull(filler, "filler");
        if (size <= 0) {
            throw new IllegalArgumentException("sealed memory needs at least one byte, not " + size);
        }
        int fd = SocketCalls.memfdCreate(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) {
            throw Failures.of("memfd_create", name, -fd);
        }
        try {
            Failures.check(MemoryCalls.ftruncate(fd, size), "ftruncate", name);
            fill(fd, size, name, filler);
            // F_SEAL_WRITE needs every writable mapping gone, so the fill's mapping is unmapped above
            Failures.check(FileCalls.fcntl(fd, F_ADD_SEALS, REQUIRED_SEALS | F_SEAL_SEAL), "fcntl(F_ADD_SEALS)", name);
            return new SealedMemory(fd, name, size);
        } catch (IOException | RuntimeException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    private static void fill(int fd, long size, String name, Consumer<MemorySegment> filler) throws IOException {
        MemorySegment address = MemoryCalls.mmapShared(fd, size, true);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            throw Failures.of("mmap", name, errno);
        }
        try (Arena arena = Arena.ofConfined()) {
            filler.accept(MemoryCalls.adoptMapping(address, size, arena));
        }
    }

    /**
     * Maps a received descriptor read-only, after checking that it is sealed against writing, shrinking and
     * growing.
     *
     * @throws IOException if it is not a sealed memfd: the sender could still change it.
     */
    static Mapping map(PassedDescriptor descriptor) throws IOException {
        int fd = descriptor.fd();
        int seals = FileCalls.fcntl(fd, FileCalls.F_GET_SEALS, 0);
        if (seals < 0) {
            throw Failures.of("fcntl(F_GET_SEALS)", descriptor.toString(), -seals,
                    "the descriptor is not a memfd: only sealed memory can be mapped safely");
        }
        if ((seals & REQUIRED_SEALS) != REQUIRED_SEALS) {
            throw new IOException(descriptor + " is not sealed (seals 0x" + Integer.toHexString(seals)
                    + "): the sender could still change or shrink it; refusing to map it");
        }
        long size = MemoryCalls.fileSize(fd);
        if (size <= 0) {
            throw new IOException(descriptor + " is empty: nothing to map");
        }
        MemorySegment address = MemoryCalls.mmapShared(fd, size, false);
        int errno = MemoryCalls.errnoOf(address);
        if (errno != 0) {
            throw Failures.of("mmap", descriptor.toString(), errno);
        }
        Arena arena = Arena.ofShared();
        return new Mapping(MemoryCalls.adoptMapping(address, size, arena).asReadOnly(), arena);
    }

    /** A read-only mapping of sealed memory; closing it unmaps it (from any thread, once). */
    public static final class Mapping implements AutoCloseable {
        private final MemorySegment segment;
        private final Arena arena;

        Mapping(MemorySegment segment, Arena arena) {
            this.segment = segment;
            this.arena = arena;
        }

        /**
         * The bytes, read-only; valid until {@link #close()}.
         *
         * @return the bytes, read-only
         */
        public MemorySegment segment() {
            return segment;
        }

        /**
         * A copy of the bytes, for small payloads and tests.
         *
         * @return a copy of the bytes, for small payloads and tests
         */
        public byte[] toArray() {
            return segment.toArray(JAVA_BYTE);
        }

        @Override
        public void close() {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    /**
     * Its size in bytes.
     *
     * @return its size in bytes
     */
    public long size() {
        return size;
    }

    @Override
    public String toString() {
        return "sealed memory " + name + " (" + size + " bytes)";
    }
}
