package io.ipc4j.cli.mq;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A queue as named on the command line: {@code /name} (POSIX), {@code sysv:KEY} (hex, decimal or
 * {@code private}), {@code sysv-id:ID}, or {@code ftok:PATH:PROJECT}.
 */
record QueueAddress(String posixName, SysVKey key, Integer id) {

    static QueueAddress parse(String text) throws IOException {
        if (text.startsWith("/")) {
            return new QueueAddress(text, null, null);
        }
        if (text.startsWith("sysv:")) {
            return new QueueAddress(null, SysVKey.parse(text.substring(5)), null);
        }
        if (text.startsWith("sysv-id:")) {
            return new QueueAddress(null, null, number(text, text.substring(8), "an id", 0, Integer.MAX_VALUE));
        }
        if (text.startsWith("ftok:")) {
            int colon = text.lastIndexOf(':');
            if (colon < 5) {
                throw new IllegalArgumentException("'" + text + "' names no queue: write ftok:PATH:PROJECT, such as"
                        + " ftok:/etc/myapp:1");
            }
            return new QueueAddress(null, SysVKey.ftok(Path.of(text.substring(5, colon)),
                    number(text, text.substring(colon + 1), "a project number", 1, 255)), null);
        }
        throw new IllegalArgumentException("'" + text + "' names no queue: write /name for a POSIX queue, or "
                + "sysv:0x1234, sysv-id:ID or ftok:PATH:PROJECT for a System V queue");
    }

    private static int number(String address, String digits, String what, int min, int max) {
        try {
            int n = Integer.parseInt(digits);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + address + "': '" + digits + "' is not " + what + ": give a whole"
                + " number from " + min + " to " + max);
    }

    boolean isPosix() {
        return posixName != null;
    }

    /** Opens the System V queue this names. */
    SysVMessageQueue openSysV() throws IOException {
        return id != null ? SysVMessageQueue.ofId(id) : SysVMessageQueue.open(key);
    }
}
