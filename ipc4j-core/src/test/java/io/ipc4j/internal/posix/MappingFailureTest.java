package io.ipc4j.internal.posix;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A failed mmap or shmat is reported the way {@link MemoryCalls#errnoOf} reads it (its errno as an address
 * below 4096), as sem_open's is: they returned -errno, which errnoOf took for a mapping, so SharedMemory and
 * SysVSharedMemory would have adopted address -errno instead of throwing.
 */
class MappingFailureTest {
    @Test
    void aFailedMmapCarriesItsErrno() {
        assertEquals(Errno.EBADF, MemoryCalls.errnoOf(MemoryCalls.mmapShared(-1, 4096, false)));
        assertEquals(Errno.EBADF, MemoryCalls.errnoOf(MemoryCalls.mmapShared(-1, 4096, 0x10000000L, true)));
    }

    @Test
    void aFailedShmatCarriesItsErrno() {
        assertEquals(Errno.EINVAL, MemoryCalls.errnoOf(MemoryCalls.shmat(-1, true)));
    }
}
