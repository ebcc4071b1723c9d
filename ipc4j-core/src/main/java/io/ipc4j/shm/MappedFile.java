package io.ipc4j.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * A region of a file mapped into memory, shared with every process that maps the same file.
 *
 * <pre>{@code
 * try (MappedFile log = MappedFile.openReadWrite(Path.of("data.log"), 1 << 20)) {   // grows the file to 1 MiB
 *     log.segment().set(JAVA_LONG, 0, 42L);
 *     log.force();                                                            // durable from here on
 * }
 * }</pre>
 *
 * <h2>Durability contract</h2>
 * Stores into the segment are visible at once to every process mapping the file, and reach the file in the
 * kernel's page cache, which survives the death of any process (kill -9 loses nothing written). They reach
 * the storage device only after {@link #force()} returns (msync MS_SYNC of the pages, and fsync of the file's
 * size after a {@link #growTo}); only forced data survives a power loss or kernel crash.
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Bounds-checked: an offset outside the mapping throws IndexOutOfBoundsException, never a crash. A
 * read-only mapping's segment throws IllegalArgumentException on a write.</li>
 * <li>{@link #growTo} replaces the mapping: segments taken before it throw IllegalStateException afterwards;
 * take {@link #segment()} again. If another process truncates the file, touching pages past its end raises
 * {@link InternalError} (the JVM's SIGBUS), not a crash.</li>
 * <li>Not thread-safe for {@link #growTo} and {@link #close}; accesses through the segment are as safe as the
 * memory ordering you use ({@link SharedBuffer}).</li>
 * </ul>
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final boolean writable;
    private final long offset;
    private Arena arena;
    private MemorySegment segment;
    private SharedBuffer buffer;
    private boolean sizeChanged;

    private MappedFile(Path path, FileChannel channel, boolean writable, long offset, long size) throws IOException {
        this.path = path;
        this.channel = channel;
        this.writable = writable;
        this.offset = offset;
        map(size);
    }

    /**
     * Maps {@code [offset, offset + size)} of an existing file read-only.
     *
     * @param path the file system path
     * @param offset the byte offset
     * @param size the size in bytes
     * @return the {@code MappedFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static MappedFile openReadOnly(Path path, long offset, long size) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        return open(path, channel, false, offset, size);
    }

    /**
     * Maps all of an existing file read-only.
     *
     * @param path the file system path
     * @return the {@code MappedFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static MappedFile openReadOnly(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        return open(path, channel, false, 0, channel.size());
    }

    /**
     * Maps the first {@code size} bytes read-write, creating the file or growing it to {@code size} if needed.
     *
     * @param path the file system path
     * @param size the size in bytes
     * @return the {@code MappedFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static MappedFile openReadWrite(Path path, long size) throws IOException {
        return openReadWrite(path, 0, size);
    }

    /**
     * Maps {@code [offset, offset + size)} read-write, creating or growing the file as needed.
     *
     * @param path the file system path
     * @param offset the byte offset
     * @param size the size in bytes
     * @return the {@code MappedFile}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static MappedFile openReadWrite(Path path, long offset, long size) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        FileChannel channel = FileChannel.open(path, options);
        return open(path, channel, true, offset, size);
    }

    private static MappedFile open(Path path, FileChannel channel, boolean writable, long offset, long size)
            throws IOException {
        if (offset < 0 || size <= 0) {
            channel.close();
            throw new IllegalArgumentException("mapping [" + offset + ", " + offset + " + " + size + ") of " + path
                    + ": the offset must be >= 0 and the size > 0");
        }
        try {
            if (!writable && offset + size > channel.size()) {
                throw new IllegalArgumentException("mapping [" + offset + ", " + (offset + size) + ") of " + path
                        + " reaches past its end (" + channel.size() + " bytes); a read-only mapping cannot grow it");
            }
            return new MappedFile(path, channel, writable, offset, size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void map(long size) throws IOException {
        if (writable && channel.size() < offset + size) {
            // Grow by writing the last byte: mapping past the end of a file would fault on access.
            channel.write(java.nio.ByteBuffer.wrap(new byte[1]), offset + size - 1);
            sizeChanged = true;
        }
        Arena next = Arena.ofShared();
        segment = channel.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, offset,
                size, next);
        buffer = new SharedBuffer(segment);
        if (arena != null) {
            arena.close();
        }
        arena = next;
    }

    /**
     * The mapping. Replaced by {@link #growTo}.
     *
     * @return the mapping
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

    /** {@return the mapping's size in bytes} */
    public long size() {
        return segment.byteSize();
    }

    /** {@return the mapped file's path} */
    public Path path() {
        return path;
    }

    /**
     * Grows the file and the mapping to {@code newSize} bytes (from this mapping's offset). Segments taken
     * before are closed: take {@link #segment()} again.
     *
     * @param newSize the new size in bytes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void growTo(long newSize) throws IOException {
        if (!writable) {
            throw new IllegalStateException(path + " is mapped read-only: it cannot grow");
        }
        if (newSize < size()) {
            throw new IllegalArgumentException("growTo(" + newSize + ") is smaller than the mapping's " + size()
                    + " bytes; mapped files only grow");
        }
        map(newSize);
    }

    /**
     * Writes the mapped pages, and the file's size if it grew, to the storage device; returns when done.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void force() throws IOException {
        if (writable) {
            segment.force();
            if (sizeChanged) {
                channel.force(true);
                sizeChanged = false;
            }
        }
    }

    /** Unmaps and closes the file (without forcing). Harmless twice. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            arena.close();
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "mapped file " + path + " [" + offset + ", " + (offset + size()) + ")";
    }
}
