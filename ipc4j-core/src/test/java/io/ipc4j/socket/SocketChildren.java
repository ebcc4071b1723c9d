package io.ipc4j.socket;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32C;

/** Child-process mains for the socket tests. */
final class SocketChildren {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private SocketChildren() {
    }

    /** The message sizes every boundary test sends. */
    static final int[] SIZES = {10, 1000, 60_000};

    static ByteBuffer message(int size, int index) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            b.put((byte) (index * 31 + i));
        }
        return b.flip();
    }

    static Endpoint endpoint(String text) throws Exception {
        if (text.startsWith("@")) {
            return UnixEndpoint.abstractName(text.substring(1));
        }
        if (text.startsWith("tcp:") || text.startsWith("udp:")) {
            return new InetEndpoint(InetAddress.getLoopbackAddress(), Integer.parseInt(text.substring(4)));
        }
        return UnixEndpoint.path(Path.of(text));
    }

    /** Sends the three messages as datagrams to {@code args[0]}, then prints "sent". */
    static final class SendDatagrams {
        public static void main(String[] args) throws Exception {
            Endpoint to = endpoint(args[0]);
            try (DatagramSocket socket = to instanceof UnixEndpoint ? DatagramSocket.openUnix()
                    : DatagramSocket.bind(InetEndpoint.loopback(0))) {
                for (int i = 0; i < SIZES.length; i++) {
                    socket.sendTo(message(SIZES[i], i), to, LIMIT);
                }
                System.out.println("sent");
            }
        }
    }

    /** Connects a seqpacket socket to {@code args[0]}, sends the three messages, closes. */
    static final class SendSeqpackets {
        public static void main(String[] args) throws Exception {
            try (SeqpacketSocket socket = SeqpacketSocket.connect((UnixEndpoint) endpoint(args[0]), LIMIT)) {
                for (int i = 0; i < SIZES.length; i++) {
                    socket.send(message(SIZES[i], i), LIMIT);
                }
                System.out.println("sent");
            }
        }
    }

    /** Connects a stream socket to {@code args[0]}, writes the three messages, closes. */
    static final class WriteStream {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.connect(endpoint(args[0]), LIMIT)) {
                for (int i = 0; i < SIZES.length; i++) {
                    socket.write(message(SIZES[i], i), LIMIT);
                }
                System.out.println("sent");
            }
        }
    }

    /**
     * Connects {@code args[1]} clients to the stream server {@code args[0]}; each reads {@code args[2]} bytes and
     * writes them back reversed, the clients in turn; then each waits for EOF. Prints "echoed N".
     */
    static final class ReversingClients {
        public static void main(String[] args) throws Exception {
            int count = Integer.parseInt(args[1]);
            int bytes = Integer.parseInt(args[2]);
            java.util.List<StreamSocket> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    clients.add(StreamSocket.connect(endpoint(args[0]), LIMIT));
                }
                for (StreamSocket client : clients) {
                    ByteBuffer in = ByteBuffer.allocate(bytes);
                    client.readFully(in, LIMIT);
                    byte[] back = new byte[bytes];
                    for (int k = 0; k < bytes; k++) {
                        back[k] = in.get(bytes - 1 - k);
                    }
                    client.write(ByteBuffer.wrap(back), LIMIT);
                }
                for (StreamSocket client : clients) {
                    if (client.read(ByteBuffer.allocate(1), LIMIT) != -1) {
                        throw new IllegalStateException("more than was sent");
                    }
                }
                System.out.println("echoed " + count);
            } finally {
                clients.forEach(StreamSocket::close);
            }
        }
    }

    /** Connects to the stream server {@code args[0]}, echoes one line back upper-cased, then waits for EOF. */
    static final class EchoClient {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.connect(endpoint(args[0]), LIMIT)) {
                ByteBuffer in = ByteBuffer.allocate(5);
                socket.readFully(in, LIMIT);
                String text = new String(in.array(), StandardCharsets.US_ASCII).toUpperCase();
                socket.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), LIMIT);
                System.out.println("echoed " + text + " eof=" + socket.read(ByteBuffer.allocate(1), LIMIT));
            }
        }
    }

    /**
     * Receives descriptors on the stream socket inherited as fd 3: first a file it reads whole, printing
     * "file crc=C bytes=N", then (if {@code args[0]} is "pipe") a pipe writing end it writes "pong" into.
     */
    static final class ReadPassedFile {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.fromInherited(3);
                 ReceivedDescriptors got = socket.receiveDescriptors(ByteBuffer.allocate(16), LIMIT)) {
                System.out.println("descriptors=" + got.descriptors().size() + " bytes=" + got.bytes()
                        + " kind=" + got.descriptors().getFirst().kind());
                CRC32C crc = new CRC32C();
                long total = 0;
                try (var channel = got.descriptors().getFirst().asChannel()) {
                    ByteBuffer buffer = ByteBuffer.allocate(8192);
                    int n;
                    while ((n = channel.read(buffer.clear())) > 0) {
                        crc.update(buffer.flip());
                        total += n;
                    }
                }
                System.out.println("file crc=" + Long.toHexString(crc.getValue()) + " bytes=" + total);
                if (got.descriptors().size() > 1) {
                    try (var pipe = got.descriptors().get(1).asPipeWriter()) {
                        pipe.write("pong".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        }
    }

    /** Receives a sealed memfd on the inherited stream socket fd 3, maps it, prints "sealed crc=C bytes=N". */
    static final class MapSealed {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.fromInherited(3);
                 ReceivedDescriptors got = socket.receiveDescriptors(ByteBuffer.allocate(16), LIMIT);
                 SealedMemory.Mapping mapping = got.descriptors().getFirst().mapSealed()) {
                CRC32C crc = new CRC32C();
                crc.update(mapping.segment().asByteBuffer());
                String write;
                try {
                    mapping.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
                    write = "allowed";
                } catch (IllegalArgumentException e) { // "Attempt to write a read-only segment"
                    write = "refused";
                }
                System.out.println("sealed crc=" + Long.toHexString(crc.getValue()) + " bytes="
                        + mapping.segment().byteSize() + " write=" + write);
            }
        }
    }

    /** Connects to {@code args[0]}, prints "connected", waits for the server to close. */
    static final class ConnectAndWait {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.connect(endpoint(args[0]), LIMIT)) {
                System.out.println("connected");
                System.out.println("eof=" + socket.read(ByteBuffer.allocate(1), Duration.ofSeconds(60)));
            }
        }
    }

    /** Binds a stream server at {@code args[0]}, prints "ready", then waits to be killed. */
    static final class ServeForever {
        public static void main(String[] args) throws Exception {
            try (SocketServer<StreamSocket> server = SocketServer.stream(endpoint(args[0]))) {
                System.out.println("ready " + server.endpoint());
                Thread.sleep(Duration.ofMinutes(2));
            }
        }
    }

    /**
     * On the stream socket inherited as fd 3, lowers its own descriptor limit so that at most two more
     * descriptors fit, then receives a message carrying five: prints "lost=L arrived=A" and the message.
     */
    static final class ReceiveWithFewDescriptorsLeft {
        public static void main(String[] args) throws Exception {
            try (StreamSocket socket = StreamSocket.fromInherited(3)) {
                java.util.List<Integer> open;
                try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
                    open = fds.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
                }
                warmUp(); // loading a class opens a file: load every one the receive needs while that still works
                int limit = open.getLast() + 3; // fd numbers below this: the open ones, the gaps, and two more
                Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(ProcessHandle.current().pid()),
                        "--nofile=" + limit + ":").inheritIO().start();
                if (prlimit.waitFor() != 0) {
                    throw new IllegalStateException("prlimit failed");
                }
                try {
                    ReceivedDescriptors got = socket.receiveDescriptors(ByteBuffer.allocate(4), LIMIT);
                    System.out.println("lost=false arrived=" + got.descriptors().size());
                } catch (DescriptorsLostException e) {
                    System.out.println("lost=true arrived=" + e.received().descriptors().size());
                    System.out.println(e.getMessage());
                    e.received().close();
                }
            }
        }

        private static void warmUp() throws Exception {
            try (SocketPair<StreamSocket> pair = StreamSocket.pair();
                 io.ipc4j.pipe.Pipe pipe = io.ipc4j.pipe.Pipe.open()) {
                pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe.reader());
                try (ReceivedDescriptors got = pair.second().receiveDescriptors(ByteBuffer.allocate(4), LIMIT)) {
                    DescriptorsLostException e = new DescriptorsLostException("warm-up", got);
                    String line = "lost=true arrived=" + e.received().descriptors().size();
                    if (line.isEmpty() || e.getMessage().isEmpty()) {
                        throw new AssertionError();
                    }
                    System.out.print("");
                }
            }
        }
    }
}
