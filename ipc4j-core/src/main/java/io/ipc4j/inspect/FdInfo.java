package io.ipc4j.inspect;

import java.util.List;

/**
 * One open descriptor of a process.
 *
 * @param fd     the number.
 * @param kind   what it refers to.
 * @param target the /proc/PID/fd link target, e.g. {@code pipe:[12345]}.
 * @param detail a readable description: the path, addresses and state, the pipe end...
 * @param peers  other processes holding the same pipe, FIFO or connected socket (best effort).
 */
public record FdInfo(int fd, FdKind kind, String target, String detail, List<Integer> peers) {
}
