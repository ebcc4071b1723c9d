package io.ipc4j.bench;

import io.ipc4j.process.ChildProcess;

import java.io.IOException;

/**
 * Ends an exchange whose peer process has died. The rows whose calls wait without a timeout, as the C
 * reference's do (pipes, sockets, POSIX queues, eventfd, signals), would otherwise wait for ever for a message
 * that cannot come: the parent closes its endpoint once the child has exited (a close ends the calls waiting on
 * it), and a child halts once its parent has exited. The System V queue row's parent endpoint removes its queues
 * when it closes, since a close does not end msgrcv and a removal does.
 */
final class PeerWatch {
    /** The child's exit status when its parent went away first. */
    static final int PARENT_GONE = 3;

    private PeerWatch() {
    }

    /**
     * Closes {@code endpoint} once {@code child} has exited, from a virtual thread; harmless after the exchange,
     * whose endpoint is closed anyway.
     */
    static void closeWhenChildExits(ChildProcess child, Endpoint endpoint) {
        Thread.ofVirtual().name("ipc4j-bench-peer-watch").start(() -> {
            try {
                child.waitFor();
                endpoint.close();
            } catch (IOException e) {
                // The pidfd is gone (the run is over), or the endpoint was closed already.
            }
        });
    }

    /** In the child: halts with {@link #PARENT_GONE} once the parent process has exited. */
    static void haltWhenParentExits() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit()
                .thenRun(() -> Runtime.getRuntime().halt(PARENT_GONE)));
    }
}
