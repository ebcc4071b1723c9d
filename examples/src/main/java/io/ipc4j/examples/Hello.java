package io.ipc4j.examples;

import io.ipc4j.PosixError;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.socket.PeerCredentials;
import io.ipc4j.socket.SocketPair;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The README's examples, run as a user would run them: a pipe, a POSIX semaphore and a System V set that
 * are removed afterwards (a second run works), a socket pair's peer credentials, and the public exception a
 * failed call throws. Prints one line for each.
 */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) throws IOException {
        pipe();
        semaphores();
        socket();
        error();
    }

    private static void pipe() throws IOException {
        try (Pipe pipe = Pipe.open()) {
            pipe.writer().write("hello through a pipe".getBytes(StandardCharsets.UTF_8));
            ByteBuffer buffer = ByteBuffer.allocate(64);
            pipe.reader().read(buffer, Duration.ofSeconds(1));
            System.out.println("pipe: " + new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
    }

    /** Names of this run's own: two runs at once (two builds on one machine) do not collide. */
    private static final String SUFFIX = "-" + ProcessHandle.current().pid();

    private static void semaphores() throws IOException {
        try (PosixSemaphore slots = PosixSemaphore.create("/ipc4j-example-slots" + SUFFIX, 2)) {
            if (slots.tryAcquire(Duration.ofSeconds(5))) {
                slots.release();
            }
            System.out.println("posix semaphore: value " + slots.value() + ", unlinked " + slots.unlink());
        }
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1, 0);
        try {
            set.operate(SemOp.acquire(0), SemOp.add(1, 1));
            boolean done = set.operate(Duration.ofMillis(100), SemOp.add(0, 1), SemOp.acquire(1));
            System.out.println("system v set: " + done + ", values " + set.value(0) + " " + set.value(1));
        } finally {
            set.remove();
        }
    }

    private static void socket() throws IOException {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            PeerCredentials peer = pair.first().peerCredentials();
            System.out.println("socket: peer is this process " + (peer.pid() == ProcessHandle.current().pid()));
        }
    }

    @SuppressWarnings("try") // the second create is the point
    private static void error() throws IOException {
        try (PosixSemaphore first = PosixSemaphore.create("/ipc4j-example-twice" + SUFFIX, 0)) {
            try (PosixSemaphore second = PosixSemaphore.create("/ipc4j-example-twice" + SUFFIX, 0)) {
                System.out.println("error: none");
            } catch (IOException e) {
                System.out.println("error: " + e.getClass().getName() + " " + ((PosixError) e).errnoName());
            } finally {
                first.unlink();
            }
        }
    }
}
