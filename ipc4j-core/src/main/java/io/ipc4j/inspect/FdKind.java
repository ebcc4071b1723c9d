package io.ipc4j.inspect;

/** What a file descriptor refers to. */
public enum FdKind {
    /** A regular file. */
    REGULAR_FILE,
    /** A directory. */
    DIRECTORY,
    /** A character or block device. */
    DEVICE,
    /** An anonymous pipe end. */
    PIPE,
    /** A FIFO (named pipe). */
    FIFO,
    /** A Unix domain socket. */
    UNIX_SOCKET,
    /** A TCP socket. */
    TCP_SOCKET,
    /** A UDP socket. */
    UDP_SOCKET,
    /** A socket of another family (netlink, packet...). */
    OTHER_SOCKET,
    /** A POSIX message queue. */
    POSIX_MESSAGE_QUEUE,
    /** An eventfd. */
    EVENTFD,
    /** A signalfd. */
    SIGNALFD,
    /** A timerfd. */
    TIMERFD,
    /** An epoll set. */
    EPOLL,
    /** An inotify instance. */
    INOTIFY,
    /** A pidfd. */
    PIDFD,
    /** An io_uring instance. */
    IO_URING,
    /** A memfd (anonymous shared memory). */
    MEMFD,
    /** A file since deleted from its directory. */
    DELETED_FILE,
    /** Anything else. */
    OTHER
}
