package io.ipc4j.event;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.socket.DatagramSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Child processes for the event loop tests. */
final class LoopChildren {
    private LoopChildren() {
    }

    static ByteBuffer text(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * args: queue name, datagram socket name (abstract). Waits for a count on the eventfd at fd 4, then writes
     * "from the pipe" to the pipe at fd 3, "from the queue" to the queue, "from the socket" to the socket,
     * signals the eventfd at fd 5 with 7, and exits with status 3.
     */
    static final class Sender {
        public static void main(String[] args) throws Exception {
            try (PipeWriter pipe = PipeWriter.fromInherited(3);
                 EventFd go = EventFd.fromInherited(4);
                 EventFd done = EventFd.fromInherited(5);
                 PosixMessageQueue queue = PosixMessageQueue.open(args[0]);
                 DatagramSocket socket = DatagramSocket.openUnix()) {
                go.await(Duration.ofSeconds(60));
                pipe.write(text("from the pipe"));
                queue.send(text("from the queue"), 4);
                socket.sendTo(text("from the socket"), UnixEndpoint.abstractName(args[1]));
                done.signal(7);
            }
            System.exit(3);
        }
    }

    /**
     * Holds the socket at fd 3 until killed, so that the parent's close is not the last close of the open file
     * description (a socket, since Spawn gives a child a pipe end of its own description).
     */
    static final class Holder {
        public static void main(String[] args) throws Exception {
            try (var held = io.ipc4j.socket.StreamSocket.fromInherited(3)) {
                System.out.println("holding " + held.isOpen());
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    /**
     * In a process whose RLIMIT_NOFILE is small: opens pipes until EMFILE, registers every end with one loop,
     * then tries to open a second loop with no descriptor left; closes everything and prints what happened and
     * whether the process's descriptors are as before.
     */
    static final class Exhauster {
        public static void main(String[] args) throws Exception {
            try (EventLoop warm = EventLoop.open(); var pipe = io.ipc4j.pipe.Pipe.open()) {
                warm.register(pipe.reader(), Interest.READ); // loads every class first
            }
            var before = io.ipc4j.testing.Descriptors.open();
            List<io.ipc4j.pipe.Pipe> pipes = new ArrayList<>();
            try (EventLoop loop = EventLoop.open()) {
                try {
                    while (true) {
                        pipes.add(io.ipc4j.pipe.Pipe.open());
                    }
                } catch (IOException e) {
                    System.out.println("pipes: " + e.getMessage());
                }
                for (var pipe : pipes) {
                    loop.register(pipe.reader(), Interest.READ);
                    loop.register(pipe.writer(), Interest.WRITE);
                }
                System.out.println("registered " + loop.registrations());
                try (EventLoop second = EventLoop.open()) {
                    System.out.println("second loop opened: " + second);
                } catch (IOException e) {
                    System.out.println("second loop: " + e.getMessage());
                }
                System.out.println("ready " + loop.selectNow());
            } finally {
                pipes.forEach(io.ipc4j.pipe.Pipe::close);
            }
            System.out.println("descriptors as before: " + before.equals(io.ipc4j.testing.Descriptors.open()));
        }
    }

    static String string(ByteBuffer buffer) {
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }

}
