package io.ipc4j.inspect;

/**
 * A shared mapping of a process (/proc/PID/maps).
 *
 * @param kind  "POSIX shared memory", "POSIX semaphore", "System V shared memory", "memfd" or "mapped file".
 * @param name  the object: a /dev/shm path, a System V key, a memfd name, a file.
 * @param bytes the mapping's size.
 * @param perms the mapping's permissions, e.g. {@code rw-s}.
 */
public record MappingInfo(String kind, String name, long bytes, String perms) {
}
