package io.ipc4j.chat;

import io.ipc4j.socket.UserRuntimeDirectory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How a chat server runs.
 *
 * @param socket        the Unix socket file.
 * @param socketMode    its mode: 0600 (only this user), or 0660 to let a group in.
 * @param logDirectory  where the log's segment files live.
 * @param fsync         force each record to disk before broadcasting it (survives power loss; slower).
 * @param maxLine       the longest line accepted, in bytes; longer ones get an error and are dropped.
 * @param outboundLimit bytes queued for a client before it counts as not reading and is disconnected.
 * @param ratePerSecond messages a client may send per second on average (0: no limit).
 * @param burst         messages it may send at once above that rate.
 * @param historyOnJoin messages a new client gets from the log when it joins.
 */
public record ChatConfig(Path socket, int socketMode, Path logDirectory, boolean fsync, int maxLine,
                         int outboundLimit, double ratePerSecond, int burst, int historyOnJoin) {
    /**
     * The default socket: ipc4j-chat.sock in this user's verified private directory ($XDG_RUNTIME_DIR, else
     * /tmp/ipc4j-UID, mode 0700): a path in /tmp itself could be taken first by another user's impostor.
     *
     * @return the default socket: ipc4j-chat.sock in this user's verified private directory
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static Path defaultSocket() throws IOException {
        return UserRuntimeDirectory.get().resolve("ipc4j-chat.sock");
    }

    /**
     * Whether the socket's group may connect, and so read the log (0750/0640 instead of 0700/0600).
     *
     * @return whether the socket's group may connect, and so read the log
     */
    public boolean groupAccess() {
        return (socketMode & 0070) != 0;
    }

    /**
     * Defaults: mode 0600, no fsync, 4 KiB lines, 1 MiB outbound queue, 20 messages/s with bursts of 40, 20 on join.
     *
     * @param socket the Unix socket's path
     * @param logDirectory where the log's segments are kept
     * @return the default configuration
     */
    public static ChatConfig defaults(Path socket, Path logDirectory) {
        return new ChatConfig(socket, 0600, logDirectory, false, 4096, 1 << 20, 20, 40, 20);
    }

    /**
     * The socket file's permission bits (and so the log's: group-readable when the socket is).
     *
     * @param mode the permission bits, such as {@code 0600}
     * @return the new configuration
     */
    public ChatConfig withMode(int mode) {
        return new ChatConfig(socket, mode, logDirectory, fsync, maxLine, outboundLimit, ratePerSecond, burst,
                historyOnJoin);
    }

    /**
     * Forces every message to disk before it is broadcast, or not.
     *
     * @param on whether to
     * @return the new configuration
     */
    public ChatConfig withFsync(boolean on) {
        return new ChatConfig(socket, socketMode, logDirectory, on, maxLine, outboundLimit, ratePerSecond, burst,
                historyOnJoin);
    }

    /**
     * Each client's message rate (0: no limit).
     *
     * @param perSecond messages a second
     * @param burstSize how many may come at once
     * @return the new configuration
     */
    public ChatConfig withRate(double perSecond, int burstSize) {
        return new ChatConfig(socket, socketMode, logDirectory, fsync, maxLine, outboundLimit, perSecond, burstSize,
                historyOnJoin);
    }

    /**
     * Queued output at which a client that stopped reading is disconnected.
     *
     * @param bytes the most bytes queued for one client
     * @return the new configuration
     */
    public ChatConfig withOutboundLimit(int bytes) {
        return new ChatConfig(socket, socketMode, logDirectory, fsync, maxLine, bytes, ratePerSecond, burst,
                historyOnJoin);
    }
}
