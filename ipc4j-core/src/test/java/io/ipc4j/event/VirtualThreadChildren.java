package io.ipc4j.event;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.pipe.PipeWriter;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two processes of the virtual-thread test. Both take: directory, FIFOs, sockets, queues, queue prefix.
 * Object i (numbered FIFOs first, then sockets, then queues) carries the one byte {@link #byteFor}(i).
 */
final class VirtualThreadChildren {
    static final Duration LIMIT = Duration.ofSeconds(120);

    private VirtualThreadChildren() {
    }

    static byte byteFor(int i) {
        return (byte) (i % 127 + 1);
    }

    record Counts(Path dir, int fifos, int sockets, int queues, String prefix) {
        static Counts of(String[] args) {
            return new Counts(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]), args[4]);
        }

        int total() {
            return fifos + sockets + queues;
        }

        Path fifo(int i) {
            return dir.resolve("fifo-" + i);
        }

        UnixEndpoint server() {
            return UnixEndpoint.path(dir.resolve("server.sock"));
        }

        String queue(int i) {
            return prefix + i;
        }
    }

    /**
     * Makes the objects, prints "ready", starts one virtual thread per object blocked in a receive, prints
     * "parked N" once every one of them is parked, then "released N sum S" and "pinned K" (JFR's
     * jdk.VirtualThreadPinned events with an ipc4j frame).
     */
    static final class Waiters {
        public static void main(String[] args) throws Exception {
            Counts counts = Counts.of(args);
            try (Recording recording = new Recording()) {
                recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
                warmUp(counts.prefix() + "warm");
                recording.start();
                run(counts);
                recording.stop();
                Path file = Files.createTempFile("ipc4j-pinned", ".jfr");
                recording.dump(file);
                System.out.println("pinned " + pinnedInIpc4j(file));
            }
        }

        /**
         * One blocking receive of each kind on a virtual thread before the recording starts: the first calls
         * link method handles and initialise classes, and virtual threads racing through the JDK's own
         * one-time linkage pin (JFR: "Contended monitor enter" with a VM frame in MethodType interning or class
         * initialisation); that is the JDK's cost once per path, not ipc4j's.
         */
        private static void warmUp(String queueName) throws Exception {
            try (var pipe = io.ipc4j.pipe.Pipe.open();
                 PosixMessageQueue queue = PosixMessageQueue.create(queueName).maxMessages(1).messageSize(8).open()) {
                var pair = StreamSocket.pair();
                try (StreamSocket a = pair.first(); StreamSocket b = pair.second()) {
                    Thread pipeReader = Thread.ofVirtual()
                            .start(() -> quietly(() -> pipe.reader().read(ByteBuffer.allocate(1))));
                    Thread socketReader = Thread.ofVirtual().start(() -> quietly(() -> b.read(ByteBuffer.allocate(1))));
                    Thread queueReader = Thread.ofVirtual()
                            .start(() -> quietly(() -> queue.receive(ByteBuffer.allocate(8))));
                    for (Thread t : List.of(pipeReader, socketReader, queueReader)) {
                        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
                            Thread.sleep(5);
                        }
                    }
                    pipe.writer().write(ByteBuffer.wrap(new byte[] {1}));
                    a.write(ByteBuffer.wrap(new byte[] {1}));
                    queue.send(ByteBuffer.wrap(new byte[] {1}), 0);
                    for (Thread t : List.of(pipeReader, socketReader, queueReader)) {
                        t.join(LIMIT.toMillis());
                    }
                } finally {
                    queue.unlink();
                }
            }
        }

        private interface Step {
            int run() throws IOException;
        }

        private static void quietly(Step step) {
            try {
                step.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static void run(Counts counts) throws Exception {
            List<Fifo> fifos = new ArrayList<>();
            List<PosixMessageQueue> queues = new ArrayList<>();
            List<AutoCloseable> open = new ArrayList<>();
            try (SocketServer<StreamSocket> server = SocketServer.stream(counts.server())) {
                for (int i = 0; i < counts.fifos(); i++) {
                    fifos.add(Fifo.create(counts.fifo(i)));
                }
                for (int i = 0; i < counts.queues(); i++) {
                    queues.add(PosixMessageQueue.create(counts.queue(i)).maxMessages(1).messageSize(8).open());
                }
                open.addAll(queues);
                System.out.println("ready");
                Releases releases = new Releases(counts.total());
                for (int i = 0; i < counts.fifos(); i++) {
                    PipeReader reader = fifos.get(i).openReader(LIMIT); // waits for the writer
                    open.add(reader);
                    releases.start(i, reader);
                }
                for (int i = 0; i < counts.sockets(); i++) {
                    StreamSocket socket = server.accept(LIMIT);
                    open.add(socket);
                    releases.start(counts.fifos() + i, socket);
                }
                for (int i = 0; i < counts.queues(); i++) {
                    releases.start(counts.fifos() + counts.sockets() + i, queues.get(i));
                }
                System.out.println("parked " + releases.awaitParked());
                long parkedAt = System.nanoTime();
                long released = releases.awaitReleased();
                System.out.println("released " + released + " sum " + releases.sum());
                System.err.println("all released " + (System.nanoTime() - parkedAt) / 1_000_000
                        + " ms after all were parked (the writer's start and its writes included)");
            } finally {
                for (AutoCloseable c : open) {
                    c.close();
                }
                for (PosixMessageQueue q : queues) {
                    q.unlink();
                }
                for (Fifo f : fifos) {
                    f.remove();
                }
            }
        }

        private static long pinnedInIpc4j(Path file) throws IOException {
            long pinned = 0;
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                System.err.println(event);
                if (event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
                        .map(frame -> frame.getMethod().getType().getName()).anyMatch(VirtualThreadChildren::ipc4j)
                        && !jdkInternalLock(event)) {
                    pinned++;
                }
            }
            Files.delete(file);
            return pinned;
        }
    }

    /**
     * A contended monitor the JDK itself takes at the top of the stack (class initialisation, method-type
     * interning): the JDK's one-time linkage, whoever called it. ipc4j's own monitors, and any park while ipc4j
     * holds one, show an ipc4j frame at the top or another blocking operation.
     */
    private static boolean jdkInternalLock(RecordedEvent event) {
        String top = event.getStackTrace().getFrames().getFirst().getMethod().getType().getName();
        return "Contended monitor enter".equals(event.getString("blockingOperation"))
                && (top.startsWith("java.") || top.startsWith("jdk.") || top.startsWith("sun."));
    }

    /** ipc4j's own code, not this test's (whose lambdas' first loading may pin: the class loader's lock). */
    private static boolean ipc4j(String className) {
        return className.startsWith("io.ipc4j.") && !className.startsWith(VirtualThreadChildren.class.getName());
    }

    /** The virtual threads, each receiving one byte, and what they received. */
    private static final class Releases {
        private final List<Thread> threads = new ArrayList<>();
        private final CountDownLatch released;
        private final AtomicLong sum = new AtomicLong();

        Releases(int count) {
            released = new CountDownLatch(count);
        }

        void start(int index, ReadableByteChannel channel) {
            threads.add(Thread.ofVirtual().name("reader-" + index).start(() -> {
                ByteBuffer one = ByteBuffer.allocate(1);
                receive(() -> channel.read(one) == 1 ? one.get(0) : -1);
            }));
        }

        void start(int index, PosixMessageQueue queue) {
            threads.add(Thread.ofVirtual().name("queue-" + index).start(() -> {
                ByteBuffer message = ByteBuffer.allocate(8);
                receive(() -> {
                    queue.receive(message);
                    return message.position() == 1 ? message.get(0) : -1;
                });
            }));
        }

        private interface Receive {
            int receive() throws IOException;
        }

        private void receive(Receive receive) {
            try {
                int value = receive.receive();
                if (value <= 0) {
                    System.err.println(Thread.currentThread().getName() + " received " + value);
                    return;
                }
                sum.addAndGet(value);
                released.countDown();
            } catch (IOException e) {
                System.err.println(Thread.currentThread().getName() + ": " + e);
            }
        }

        /** Waits (bounded) until every thread is parked, which a thread blocked in poll(2) never is. */
        int awaitParked() throws InterruptedException {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (true) {
                int parked = (int) threads.stream().filter(Releases::parked).count();
                if (parked == threads.size() || System.nanoTime() - deadline > 0) {
                    return parked;
                }
                Thread.sleep(50);
            }
        }

        /** Parked, with or without a timeout: a thread blocked in poll(2) would be RUNNABLE. */
        private static boolean parked(Thread thread) {
            Thread.State state = thread.getState();
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        }

        long awaitReleased() throws InterruptedException {
            released.await(LIMIT.toSeconds(), TimeUnit.SECONDS);
            return threads.size() - released.getCount();
        }

        long sum() {
            return sum.get();
        }
    }

    /** Opens the other end of every object, prints "connected", waits on the eventfd at fd 3, writes. */
    static final class Writer {
        public static void main(String[] args) throws Exception {
            Counts counts = Counts.of(args);
            List<AutoCloseable> open = new ArrayList<>();
            try (EventFd go = EventFd.fromInherited(3)) {
                List<PipeWriter> fifos = new ArrayList<>();
                for (int i = 0; i < counts.fifos(); i++) {
                    fifos.add(Fifo.open(counts.fifo(i)).openWriter(LIMIT));
                }
                open.addAll(fifos);
                List<StreamSocket> sockets = new ArrayList<>();
                for (int i = 0; i < counts.sockets(); i++) {
                    sockets.add(StreamSocket.connect(counts.server(), LIMIT));
                }
                open.addAll(sockets);
                List<PosixMessageQueue> queues = new ArrayList<>();
                for (int i = 0; i < counts.queues(); i++) {
                    queues.add(PosixMessageQueue.open(counts.queue(i)));
                }
                open.addAll(queues);
                System.out.println("connected");
                go.await(LIMIT);
                int i = 0;
                for (PipeWriter w : fifos) {
                    w.write(ByteBuffer.wrap(new byte[] {byteFor(i++)}));
                }
                for (StreamSocket s : sockets) {
                    s.write(ByteBuffer.wrap(new byte[] {byteFor(i++)}));
                }
                for (PosixMessageQueue q : queues) {
                    q.send(ByteBuffer.wrap(new byte[] {byteFor(i++)}), 0);
                }
                System.out.println("wrote " + i);
            } finally {
                for (AutoCloseable c : open) {
                    c.close();
                }
            }
        }
    }
}
