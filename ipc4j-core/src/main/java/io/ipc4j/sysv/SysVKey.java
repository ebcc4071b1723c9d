package io.ipc4j.sysv;

import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MessageQueueCalls;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A System V IPC key (key_t): how unrelated processes name the same queue, segment or semaphore set.
 *
 * @param value the key; 0 is IPC_PRIVATE.
 */
public record SysVKey(int value) {
    /** IPC_PRIVATE: always a new object, reachable only through its id. */
    public static final SysVKey PRIVATE = new SysVKey(0);

    /**
     * ftok(3): a key from an existing file and a project id (1-255), the same in every process.
     *
     * @param path the file system path
     * @param projectId the project id, as ftok(3) takes it (its low 8 bits)
     * @return a key from an existing file and a project id
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVKey ftok(Path path, int projectId) throws IOException {
        if (projectId < 1 || projectId > 255) {
            throw new IllegalArgumentException("ftok project id " + projectId + " is outside 1..255 "
                    + "(only its low 8 bits count, and 0 is ill-advised)");
        }
        long key = MessageQueueCalls.ftok(path.toString(), projectId);
        if (key < 0) {
            throw Failures.of("ftok", path + ", " + projectId, (int) -key, "ftok needs an existing file");
        }
        return new SysVKey((int) key);
    }

    /**
     * An explicit key.
     *
     * @return an explicit key
     */
    public static SysVKey of(int value) {
        return new SysVKey(value);
    }

    /**
     * Parses {@code 0x1234abcd}, a decimal number, or {@code private}.
     *
     * @param text the text
     * @return a decimal number, or {@code private}
     */
    public static SysVKey parse(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("private") || t.equals("ipc_private")) {
            return PRIVATE;
        }
        try {
            long key = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (key < Integer.MIN_VALUE || key > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return new SysVKey((int) key);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a System V key: write hexadecimal such as"
                    + " 0x1234abcd, a decimal number, or private");
        }
    }

    @Override
    public String toString() {
        return value == 0 ? "IPC_PRIVATE" : String.format("0x%08x", value);
    }
}
