package io.ipc4j.internal.posix;

/**
 * Told, once, that a descriptor is about to be closed, while its number is still valid: the place to take it
 * out of an epoll set (epoll keys a registration on the open file, so a registration left behind outlives
 * the number when another process or a dup holds the file).
 */
@FunctionalInterface
public interface CloseListener {
    /** Runs on the closing thread; must not block or throw. */
    void descriptorClosing(int fd);
}
