package io.ipc4j.internal.posix;

import io.ipc4j.ErrnoException;
import io.ipc4j.PeerClosedException;
import io.ipc4j.PosixError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The errno boundary: which exception, and the one message format. */
class FailuresTest {
    @Test
    void errnoNamesAndTextsComeFromTheCLibrary() {
        assertEquals("EEXIST", Errno.name(Errno.EEXIST));
        assertEquals("File exists", Errno.description(Errno.EEXIST));
        assertEquals("ETIMEDOUT", Errno.name(Errno.ETIMEDOUT));
        assertEquals("errno 4095", Errno.name(4095));
    }

    @Test
    void jdkExceptionTypesWhereTheyFit() {
        assertInstanceOf(NoSuchFileException.class, Failures.of("open", "/x", Errno.ENOENT));
        assertInstanceOf(FileAlreadyExistsException.class, Failures.of("mkfifo", "/x", Errno.EEXIST));
        assertInstanceOf(AccessDeniedException.class, Failures.of("open", "/x", Errno.EACCES));
        assertInstanceOf(AccessDeniedException.class, Failures.of("kill", "pid 1", Errno.EPERM));
        assertInstanceOf(NotDirectoryException.class, Failures.of("open", "/x/y", Errno.ENOTDIR));
        assertInstanceOf(PeerClosedException.class, Failures.of("write", "fd 3", Errno.EPIPE));
        assertEquals(ErrnoException.class, Failures.of("read", "fd 3", Errno.EBADF).getClass());
    }

    @Test
    void everyOneCarriesTheCallTheObjectAndTheErrno() {
        IOException e = Failures.of("open", "/etc/x", Errno.EACCES, "ask the owner");
        assertEquals("open(/etc/x) failed: EACCES (Permission denied): ask the owner", e.getMessage());
        PosixError p = (PosixError) e;
        assertEquals("open", p.call());
        assertEquals("/etc/x", p.object());
        assertEquals(13, p.errno());
        assertEquals("EACCES", p.errnoName());
        assertEquals("Permission denied", p.errnoText());
        assertEquals("/etc/x", ((AccessDeniedException) e).getFile());
    }
}
