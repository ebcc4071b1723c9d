package io.ipc4j.testing;

import io.ipc4j.inspect.MqueueFs;

/**
 * POSIX queues are listed only where the mqueue file system is mounted (at /dev/mqueue), which many machines
 * do not do. The leak check mounts it once when it may (as root), so a leaked queue cannot hide.
 */
final class MqueueMount {
    private static boolean tried;

    private MqueueMount() {
    }

    static synchronized void ensure() {
        if (tried) {
            return;
        }
        tried = true;
        if (!MqueueFs.mountIfPossible() && "root".equals(System.getProperty("user.name"))) {
            System.err.println("[IpcLeakCheck] could not mount /dev/mqueue: leaked POSIX queues go unseen");
        }
    }
}
