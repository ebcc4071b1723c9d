package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.PosixError;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.Descriptors;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FIFOs: creation, timed opens, and traffic between processes. */
class FifoTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void createdWithExactlyTheModeAskedFor() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("f"), 0640);
        try {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo.path())));
            assertEquals(fifo.path(), Fifo.open(fifo.path()).path());
        } finally {
            assertTrue(fifo.remove());
        }
        assertFalse(fifo.remove());
        assertFalse(Files.exists(fifo.path()));
    }

    @Test
    void openingForReadingWithNoWriterTimesOut() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("lonely"));
        try {
            Map<Integer, String> before = Descriptors.open();
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> fifo.openReader(Duration.ofMillis(200)));
            assertEquals("open(" + fifo.path() + " for reading): no writer opened the other end: "
                    + "timed out after 200 ms", e.getMessage());
            assertEquals(before, Descriptors.open());
            assertTrue(Files.exists(fifo.path()));
        } finally {
            fifo.remove();
        }
    }

    @Test
    void openingForWritingWithNoReaderTimesOut() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("lonely"));
        try {
            Map<Integer, String> before = Descriptors.open();
            IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                    () -> fifo.openWriter(Duration.ofMillis(200)));
            assertEquals("open(" + fifo.path() + " for writing): no reader opened the other end: "
                    + "timed out after 200 ms", e.getMessage());
            assertTrue(fifo.tryOpenWriter().isEmpty());
            assertEquals(before, Descriptors.open());
        } finally {
            fifo.remove();
        }
    }

    @Test
    void aZeroTimeoutOpenSucceedsWhenThePeerIsAlreadyThere() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("f"));
        try (ChildJvm.Running child = ChildJvm.of(PipeChildren.WriteThenHang.class, fifo.path().toString())
                .start()) {
            try (PipeReader reader = fifo.openReader(LIMIT)) {
                child.awaitLine("ready"::equals, LIMIT);
                try (PipeWriter second = fifo.openWriter(Duration.ZERO)) {
                    second.write("x".getBytes(StandardCharsets.UTF_8));
                }
                ByteBuffer all = ByteBuffer.allocate(7);
                reader.readFully(all, LIMIT);
                assertEquals("hello\nx", new String(all.array(), StandardCharsets.UTF_8));
            }
        } finally {
            fifo.remove();
        }
    }

    @Test
    void readerSeesEndOfStreamWhenTheWriterIsKilled() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("f"));
        try (ChildJvm.Running child = ChildJvm.of(PipeChildren.WriteThenHang.class, fifo.path().toString())
                .start();
             PipeReader reader = fifo.openReader(LIMIT)) {
            ByteBuffer hello = ByteBuffer.allocate(6);
            reader.readFully(hello, LIMIT);
            child.awaitLine("ready"::equals, LIMIT);
            child.process().kill();
            assertEquals(-1, reader.read(ByteBuffer.allocate(1), LIMIT));
        } finally {
            fifo.remove();
        }
    }

    @Test
    void twoWritersOfPipeBufRecordsNeverInterleave() throws Exception {
        int records = 10_000;
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("records"));
        String path = fifo.path().toString();
        try (ChildJvm.Running one = ChildJvm.of(PipeChildren.RecordWriter.class, path, "1", "" + records).start();
             ChildJvm.Running two = ChildJvm.of(PipeChildren.RecordWriter.class, path, "2", "" + records).start();
             PipeReader reader = fifo.openReader(LIMIT)) {
            int[] next = new int[3];
            ByteBuffer record = ByteBuffer.allocateDirect(Pipe.ATOMIC_WRITE_BYTES);
            for (int i = 0; i < 2 * records; i++) {
                record.clear();
                reader.readFully(record, LIMIT);
                record.flip();
                byte id = record.get();
                int seq = record.getInt();
                assertTrue(id == 1 || id == 2, "record " + i + " has writer id " + id);
                assertEquals(next[id]++, seq, "writer " + id + "'s records out of order");
                byte fill = PipeChildren.Records.fillByte(id, seq);
                while (record.hasRemaining()) {
                    assertEquals(fill, record.get(), "record " + i + " (writer " + id + ", seq " + seq
                            + ") interleaved at byte " + (record.position() - 1));
                }
            }
            assertEquals(records, next[1]);
            assertEquals(records, next[2]);
            assertEquals(-1, reader.read(ByteBuffer.allocate(1), LIMIT));
            assertEquals(0, one.finish(LIMIT).status().code());
            assertEquals(0, two.finish(LIMIT).status().code());
        } finally {
            fifo.remove();
        }
    }

    @Test
    void bulkTransferThroughAFifoIsByteExact() throws Exception {
        Fifo fifo = Fifo.create(LEAKS.scratch().resolve("bulk"));
        try (ChildJvm.Running child = ChildJvm.of(PipeChildren.Stream.class, "16", fifo.path().toString())
                .start();
             PipeReader reader = fifo.openReader(LIMIT)) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            ByteBuffer buffer = ByteBuffer.allocate(10_000); // a heap buffer: the copying path
            long received = 0;
            int n;
            while ((n = reader.read(buffer.clear(), LIMIT)) >= 0) {
                crc.update(buffer.array(), 0, n);
                received += n;
            }
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals("bytes=" + received + " crc=" + Long.toHexString(crc.getValue()), result.stdout().strip(),
                    result.describe());
            assertEquals(16L << 20, received);
        } finally {
            fifo.remove();
        }
    }

    @Test
    void creatingOverAnExistingFileFailsWithEexist() throws Exception {
        Path path = LEAKS.scratch().resolve("taken");
        Files.writeString(path, "data");
        try {
            var e = assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> Fifo.create(path));
            assertEquals("mkfifo(" + path + ") failed: EEXIST (File exists)", e.getMessage());
            assertEquals(path.toString(), e.getFile());
            assertTrue(e instanceof PosixError p && p.errnoName().equals("EEXIST") && p.call().equals("mkfifo"));
            assertEquals("data", Files.readString(path));
        } finally {
            Files.delete(path);
        }
    }

    @Test
    void aRegularFileWhereAFifoShouldBeIsRefusedWithoutLeakingADescriptor() throws Exception {
        Path path = LEAKS.scratch().resolve("plain");
        Files.writeString(path, "data");
        try {
            Map<Integer, String> before = Descriptors.open();
            var e = assertThrows(NotAFifoException.class, () -> Fifo.open(path));
            assertEquals(path + ": is a regular file, not a FIFO: remove it or choose another path", e.getMessage());
            Fifo lookalike = Fifo.create(LEAKS.scratch().resolve("real"));
            lookalike.remove();
            Files.move(path, lookalike.path());
            var onOpen = assertThrows(NotAFifoException.class, () -> lookalike.openReader(Duration.ofSeconds(1)));
            assertEquals(lookalike.path() + ": is a regular file, not a FIFO: remove it or choose another path",
                    onOpen.getMessage());
            assertEquals(before, Descriptors.open());
            Files.delete(lookalike.path());
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void aMissingDirectoryIsNoSuchFile() throws Exception {
        Path path = LEAKS.scratch().resolve("missing/dir/f");
        Map<Integer, String> before = Descriptors.open();
        var e = assertThrows(java.nio.file.NoSuchFileException.class, () -> Fifo.create(path));
        assertEquals("mkfifo(" + path + ") failed: ENOENT (No such file or directory)", e.getMessage());
        var onOpen = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> Fifo.open(path));
        assertEquals(path.toString(), onOpen.getFile());
        assertEquals(before, Descriptors.open());
    }

    @Test
    void noPermissionIsAccessDenied() throws Exception {
        Path locked = Files.createDirectory(LEAKS.scratch().resolve("locked"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        Path path = locked.resolve("f");
        try {
            ChildJvm child = ChildJvm.of(PipeChildren.TryCreate.class, path.toString());
            if (Privileges.isRoot()) {
                // root ignores permission bits; the child drops to nobody to meet them.
                Privileges.assumeSetpriv();
                child.asNobody();
                Files.setPosixFilePermissions(LEAKS.scratch(), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            ChildJvm.Result result = child.run(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            assertEquals("java.nio.file.AccessDeniedException|mkfifo(" + path
                    + ") failed: EACCES (Permission denied)", result.stdout().strip(), result.describe());
            assertFalse(Files.exists(path));
        } finally {
            Files.delete(locked);
        }
    }
}
