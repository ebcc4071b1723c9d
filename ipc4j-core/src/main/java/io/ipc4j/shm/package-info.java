/**
 * Shared memory: POSIX and System V segments, mapped files, and {@link io.ipc4j.shm.SharedBuffer}, the
 * aligned, ordered and atomic accesses to them. Nothing here blocks; a mapping may be used from any thread,
 * and closing unmaps once accesses in flight have failed. Synchronising the contents is the caller's (see
 * io.ipc4j.sync).
 */
package io.ipc4j.shm;
