package io.ipc4j.socket;

/**
 * Who is at the other end of a Unix domain socket, as the kernel recorded it when the connection was made
 * (SO_PEERCRED): not what the peer claims. For a socket pair, the process that created the pair.
 *
 * <p>A pid can be reused once that process is gone; where identity must survive that, use
 * {@link NativeSocket#peerProcess()}, a pidfd.
 *
 * @param pid the peer's process id.
 * @param uid its effective user id.
 * @param gid its effective group id.
 */
public record PeerCredentials(int pid, int uid, int gid) {
    /** getsockopt(SO_PEERCRED) on {@code fd}; a pid of 0 means the socket has no peer. */
    static PeerCredentials read(int fd, String what) throws java.io.IOException {
        try (java.lang.foreign.Arena local = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment ucred = local.allocate(12, 4);
            int r = io.ipc4j.internal.posix.SocketCalls.getsockopt(fd, io.ipc4j.internal.posix.SocketCalls.SOL_SOCKET,
                    io.ipc4j.internal.posix.SocketCalls.SO_PEERCRED, ucred);
            if (r < 0) {
                throw io.ipc4j.internal.posix.Failures.of("getsockopt(SO_PEERCRED)", what, -r);
            }
            return new PeerCredentials(ucred.get(java.lang.foreign.ValueLayout.JAVA_INT, 0),
                    ucred.get(java.lang.foreign.ValueLayout.JAVA_INT, 4),
                    ucred.get(java.lang.foreign.ValueLayout.JAVA_INT, 8));
        }
    }
}
