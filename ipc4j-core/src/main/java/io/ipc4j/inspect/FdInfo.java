package io.ipc4j.inspect;

import java.util.List;

/**
 * One open descriptor of a process.
 *
 * @param fd       the number.
 * @param kind     what it refers to.
 * @param target   the /proc/PID/fd link target, e.g. {@code pipe:[12345]}.
 * @param detail   a readable description: the path, addresses and state, the pipe end, an eventfd's counter,
 *                 the signals a signalfd takes, a timer's settings, what an epoll watches...
 * @param peers    other processes holding the same pipe, FIFO or connected socket (best effort).
 * @param flags    the open file's access mode and flags from /proc/PID/fdinfo ({@code "read-write nonblock
 *                 cloexec"}), or "" if the descriptor closed before they were read.
 * @param position the file position, or -1 if unknown.
 */
public record FdInfo(int fd, FdKind kind, String target, String detail, List<Integer> peers, String flags,
                     long position) {
    /**
     * Without the open file's state (read separately, from fdinfo).
     *
     * @param fd the descriptor number
     * @param kind the kind
     * @param target the target
     * @param detail the detail
     * @param peers the peers
     */
    public FdInfo(int fd, FdKind kind, String target, String detail, List<Integer> peers) {
        this(fd, kind, target, detail, peers, "", -1);
    }

    FdInfo withOpenState(OpenState state) {
        return new FdInfo(fd, kind, target, detail, peers, state.flags(), state.position());
    }
}
