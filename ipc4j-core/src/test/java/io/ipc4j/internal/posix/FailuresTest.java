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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void everyCallOutOfDescriptorsSaysWhatToDoUnlessItKnowsBetter() {
        assertEquals("eventfd(new eventfd) failed: EMFILE (Too many open files): this process has too many open"
                + " descriptors: close some, or raise ulimit -n", Failures.of("eventfd", "new eventfd", Errno.EMFILE)
                .getMessage());
        assertEquals("mq_open(/q) failed: EMFILE (Too many open files): raise ulimit -q",
                Failures.of("mq_open", "/q", Errno.EMFILE, "raise ulimit -q").getMessage());
        assertEquals("read(fd 3) failed: EBADF (Bad file descriptor)", Failures.of("read", "fd 3", Errno.EBADF)
                .getMessage());
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

    /** Each prints as a public type of the exported package, never as a nested class of an internal one. */
    @Test
    void everyOneIsAPublicTypeUsersCanNameAndCatch() {
        int[] errnos = {Errno.ENOENT, Errno.EEXIST, Errno.EACCES, Errno.ENOTDIR, Errno.EPIPE, Errno.EBADF};
        String[] names = {"PosixNoSuchFileException", "PosixFileAlreadyExistsException", "PosixAccessDeniedException",
            "PosixNotDirectoryException", "PeerClosedException", "ErrnoException"};
        for (int i = 0; i < errnos.length; i++) {
            IOException e = Failures.of("shm_open", "/slots", errnos[i]);
            assertEquals("io.ipc4j." + names[i], e.getClass().getName());
            assertTrue(java.lang.reflect.Modifier.isPublic(e.getClass().getModifiers()), e.getClass().getName());
            assertTrue(e.toString().startsWith("io.ipc4j." + names[i] + ": shm_open(/slots) failed: "), e.toString());
        }
    }
}
