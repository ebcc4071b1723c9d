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
}
