/**
 * ipc4j: every Unix IPC mechanism for Java, in pure Java on the Foreign Function &amp; Memory API.
 *
 * <p>One package per mechanism. Every native downcall lives in {@code io.ipc4j.internal.posix}, which
 * this module does not export. Callers must enable native access for this module
 * ({@code --enable-native-access=io.ipc4j}, or {@code ALL-UNNAMED} on the class path).
 */
module io.ipc4j {
    // sun.misc.Signal (reached by method handles): the JVM's own signal dispatcher, the only safe way
    // to run Java code on a signal.
    requires jdk.unsupported;

    exports io.ipc4j;
    exports io.ipc4j.channel;
    exports io.ipc4j.event;
    exports io.ipc4j.inspect;
    exports io.ipc4j.mq;
    exports io.ipc4j.pipe;
    exports io.ipc4j.process;
    exports io.ipc4j.shm;
    exports io.ipc4j.signal;
    exports io.ipc4j.socket;
    exports io.ipc4j.sync;
    exports io.ipc4j.sysv;
}
