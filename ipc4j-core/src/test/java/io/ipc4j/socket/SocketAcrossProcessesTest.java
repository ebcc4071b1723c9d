package io.ipc4j.socket;

import io.ipc4j.pipe.Pipe;
import io.ipc4j.signal.Signal;
import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sockets between this JVM and child JVMs. */
class SocketAcrossProcessesTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    /** A fresh endpoint of the kind named; the one line that changes the transport. */
    private static Endpoint endpoint(String kind, String name) {
        return switch (kind) {
            case "path" -> UnixEndpoint.path(LEAKS.scratch().resolve(name));
            case "abstract" -> UnixEndpoint.abstractName("ipc4j-test-" + ProcessHandle.current().pid() + "-" + name);
            default -> InetEndpoint.loopback(0);
        };
    }

    private static String arg(Endpoint e, String ipPrefix) {
        return switch (e) {
            case UnixEndpoint u -> u.toString();
            case InetEndpoint i -> ipPrefix + i.port();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"path", "abstract", "udp"})
    void datagramsKeepTheirBoundaries(String kind) throws Exception {
        try (DatagramSocket receiver = DatagramSocket.bind(endpoint(kind, "dgram.sock"))) {
            Endpoint at = receiver.localEndpoint().orElseThrow();
            ChildJvm.Result sender = ChildJvm.of(SocketChildren.SendDatagrams.class, arg(at, "udp:")).run(LIMIT);
            assertEquals(0, sender.status().code(), sender.describe());
            ByteBuffer buffer = ByteBuffer.allocate(100_000);
            for (int i = 0; i < SocketChildren.SIZES.length; i++) {
                int n = receiver.receive(buffer.clear(), LIMIT);
                assertEquals(SocketChildren.SIZES[i], n, "datagram " + i + " arrives whole, alone");
                assertEquals(SocketChildren.message(n, i), buffer.flip());
            }
            assertEquals(-1, receiver.receiveNow(buffer.clear()), "exactly three datagrams");
        }
    }

    @Test
    void batchesSendToAndReceiveFromClientsInAnotherProcess() throws Exception {
        int clients = 40;
        int bytes = 100_000; // more than a Unix socket takes at once: every batch but the last is partial
        try (SocketServer<StreamSocket> server = SocketServer.stream((UnixEndpoint) endpoint("path", "batch.sock"));
             ChildJvm.Running child = ChildJvm.of(SocketChildren.ReversingClients.class,
                     server.endpoint().toString(), String.valueOf(clients), String.valueOf(bytes)).start();
             SendBatch sends = SendBatch.open(clients); ReceiveBatch receives = ReceiveBatch.open(clients)) {
            List<StreamSocket> accepted = new java.util.ArrayList<>();
            ByteBuffer out = ByteBuffer.allocateDirect(clients * bytes);
            ByteBuffer in = ByteBuffer.allocateDirect(clients * bytes);
            int[] sent = new int[clients];
            int[] received = new int[clients];
            try {
                for (int i = 0; i < clients; i++) {
                    accepted.add(server.accept(LIMIT));
                    out.put(i * bytes, SocketChildren.message(bytes, i), 0, bytes);
                }
                long deadline = System.nanoTime() + LIMIT.toNanos();
                while (java.util.Arrays.stream(received).sum() < clients * bytes) {
                    assertTrue(System.nanoTime() < deadline, "all echoed within " + LIMIT);
                    for (int i = 0; i < clients; i++) {
                        if (sent[i] < bytes) {
                            sends.add(accepted.get(i), out, i * bytes + sent[i], bytes - sent[i]);
                        }
                        receives.add(accepted.get(i), in, i * bytes + received[i], bytes - received[i]);
                    }
                    sends.send();
                    receives.receive();
                    for (int i = 0, j = 0; i < clients; i++) {
                        if (sent[i] < bytes) {
                            assertEquals(null, sends.failure(j));
                            sent[i] += sends.sent(j++);
                        }
                        assertEquals(null, receives.failure(i));
                        received[i] += Math.max(0, receives.received(i));
                    }
                    sends.clear();
                    receives.clear();
                }
                for (int i = 0; i < clients; i++) {
                    byte[] expected = new byte[bytes];
                    SocketChildren.message(bytes, i).get(expected);
                    byte[] got = new byte[bytes];
                    in.get(i * bytes, got);
                    for (int k = 0; k < bytes; k++) {
                        assertEquals(expected[bytes - 1 - k], got[k], "client " + i + ", byte " + k);
                    }
                }
            } finally {
                accepted.forEach(StreamSocket::close);
            }
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            assertTrue(result.stdout().contains("echoed " + clients), result.describe());
        }
    }

    @Test
    void seqpacketKeepsBoundariesAndSeesTheEnd() throws Exception {
        try (SocketServer<SeqpacketSocket> server = SocketServer.seqpacket(
                (UnixEndpoint) endpoint("path", "seq.sock"));
             ChildJvm.Running child = ChildJvm.of(SocketChildren.SendSeqpackets.class,
                     server.endpoint().toString()).start();
             SeqpacketSocket connection = server.accept(LIMIT)) {
            assertEquals(0, child.finish(LIMIT).status().code());
            ByteBuffer buffer = ByteBuffer.allocate(100_000);
            for (int i = 0; i < SocketChildren.SIZES.length; i++) {
                assertEquals(SocketChildren.SIZES[i], connection.receive(buffer.clear(), LIMIT));
                assertEquals(SocketChildren.message(SocketChildren.SIZES[i], i), buffer.flip());
            }
            assertEquals(-1, connection.receive(buffer.clear(), LIMIT), "end of stream after the child closed");
        }
    }

    @Test
    void aStreamDoesNotKeepBoundaries() throws Exception {
        try (SocketServer<StreamSocket> server = SocketServer.stream(endpoint("path", "stream.sock"));
             ChildJvm.Running child = ChildJvm.of(SocketChildren.WriteStream.class,
                     server.endpoint().toString()).start();
             StreamSocket connection = server.accept(LIMIT)) {
            assertEquals(0, child.finish(LIMIT).status().code());
            ByteBuffer all = ByteBuffer.allocate(100_000);
            int first = connection.read(all, LIMIT);
            assertEquals(10 + 1000 + 60_000, first, "three writes came out as one read");
            assertEquals(-1, connection.read(ByteBuffer.allocate(1), LIMIT));
            ByteBuffer expected = ByteBuffer.allocate(first);
            for (int i = 0; i < SocketChildren.SIZES.length; i++) {
                expected.put(SocketChildren.message(SocketChildren.SIZES[i], i));
            }
            assertEquals(expected.flip(), all.flip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"path", "abstract", "tcp"})
    void theSameCodeServesUnixPathsAbstractNamesAndTcp(String kind) throws Exception {
        try (SocketServer<StreamSocket> server = SocketServer.stream(endpoint(kind, "echo.sock"));
             ChildJvm.Running child = ChildJvm.of(SocketChildren.EchoClient.class,
                     arg(server.endpoint(), "tcp:")).start();
             StreamSocket connection = server.accept(LIMIT)) {
            connection.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), LIMIT);
            ByteBuffer reply = ByteBuffer.allocate(5);
            connection.readFully(reply, LIMIT);
            assertEquals("HELLO", new String(reply.array(), StandardCharsets.US_ASCII));
            if (!kind.equals("tcp")) {
                PeerCredentials peer = connection.peerCredentials();
                assertEquals(child.pid(), peer.pid());
                assertEquals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), peer.uid(),
                        "the child runs as this test's user, root or not");
            } else {
                assertThrows(UnsupportedOperationException.class, connection::peerCredentials);
            }
            connection.shutdownOutput();
            assertEquals(List.of("echoed HELLO eof=-1"), child.finish(LIMIT).stdoutLines());
        }
    }

    @Test
    void peerCredentialsAndPidfdNameTheConnectingProcess() throws Exception {
        try (SocketServer<StreamSocket> server = SocketServer.stream(endpoint("abstract", "creds"));
             ChildJvm.Running child = ChildJvm.of(SocketChildren.ConnectAndWait.class,
                     server.endpoint().toString()).asNobody().start();
             StreamSocket connection = server.accept(LIMIT)) {
            child.awaitLine("connected"::equals, LIMIT);
            assertEquals(new PeerCredentials(child.pid(), 65534, 65534), connection.peerCredentials());
            Optional<PeerProcess> peer = connection.peerProcess();
            assertEquals(kernelAtLeast(6, 5), peer.isPresent(), "SO_PEERPIDFD exists from Linux 6.5");
            if (peer.isPresent()) {
                try (PeerProcess process = peer.get()) {
                    assertEquals(child.pid(), process.pid());
                    assertTrue(process.isAlive());
                    connection.shutdownOutput();
                    assertEquals(0, child.finish(LIMIT).status().code());
                    assertFalse(process.isAlive());
                    assertFalse(process.signal(Signal.TERM), "a pidfd never signals a stranger");
                }
            }
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        return ma > major || ma == major && Integer.parseInt(v[1]) >= minor;
    }

    @Test
    void aJdkServerChannelGetsTheSameCareAndItsPeersPid() throws Exception {
        Path path = LEAKS.scratch().resolve("jdk.sock");
        try (JdkUnixServer server = JdkUnixServer.bind(path);
             ChildJvm.Running child = ChildJvm.of(SocketChildren.EchoClient.class, path.toString()).start();
             java.nio.channels.SocketChannel connection = server.channel().accept()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            assertEquals(List.of(path), listScratch(), "the private staging directory is gone");
            PeerCredentials peer = JdkUnixServer.peerCredentials(connection);
            assertEquals(child.pid(), peer.pid());
            connection.write(ByteBuffer.wrap("jdk!!".getBytes(StandardCharsets.US_ASCII)));
            connection.shutdownOutput();
            assertEquals(List.of("echoed JDK!! eof=-1"), child.finish(LIMIT).stdoutLines());
            var live = assertThrows(io.ipc4j.ErrnoException.class, () -> JdkUnixServer.bind(path));
            assertEquals("EADDRINUSE", live.errnoName());
        }
        assertFalse(Files.exists(path));
    }

    private static List<Path> listScratch() throws java.io.IOException {
        try (var files = Files.list(LEAKS.scratch())) {
            return files.toList();
        }
    }

    @Test
    void aChildReadsAFileItMayNotOpenThroughAPassedDescriptorAndWritesIntoAPassedPipe() throws Exception {
        Path secret = LEAKS.scratch().resolve("secret.bin");
        byte[] content = new byte[300_000];
        new SplittableRandom(7).nextBytes(content);
        Files.write(secret, content);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        CRC32C crc = new CRC32C();
        crc.update(content);
        try (SocketPair<StreamSocket> pair = StreamSocket.pair();
             Pipe pipe = Pipe.open();
             var file = java.nio.channels.FileChannel.open(secret);
             OpenFile passed = OpenFile.readOnly(secret);
             ChildJvm.Running child = ChildJvm.of(SocketChildren.ReadPassedFile.class, "pipe")
                     .asNobody().inherit(pair.second(), 3).start()) {
            pair.second().close();
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), passed, pipe.writer());
            pipe.writer().close();
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            ByteBuffer pong = ByteBuffer.allocate(4);
            pipe.reader().readFully(pong, LIMIT);
            assertEquals("pong", new String(pong.array(), StandardCharsets.US_ASCII));
            assertEquals(List.of("descriptors=2 bytes=1 kind=FILE",
                    "file crc=" + Long.toHexString(crc.getValue()) + " bytes=" + content.length), result.stdoutLines());
            assertTrue(file.isOpen());
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void aSealedMemfdIsMappedReadOnlyByTheReceiver() throws Exception {
        byte[] content = new byte[8 << 20];
        new SplittableRandom(11).nextBytes(content);
        CRC32C crc = new CRC32C();
        crc.update(content);
        try (SocketPair<StreamSocket> pair = StreamSocket.pair();
             SealedMemory memory = SealedMemory.of("test-payload", content);
             ChildJvm.Running child = ChildJvm.of(SocketChildren.MapSealed.class).inherit(pair.second(), 3).start()) {
            pair.second().close();
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {1}), memory);
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            assertEquals(List.of("sealed crc=" + Long.toHexString(crc.getValue()) + " bytes=" + content.length
                    + " write=refused"), result.stdoutLines());
        }
    }

    @Test
    void aStaleSocketFileIsReplacedButALiveServersNever() throws Exception {
        Path path = LEAKS.scratch().resolve("server.sock");
        UnixEndpoint endpoint = UnixEndpoint.path(path);
        try (ChildJvm.Running child = ChildJvm.of(SocketChildren.ServeForever.class, path.toString()).start()) {
            child.awaitLine(l -> l.startsWith("ready"), LIMIT);
            var live = assertThrows(io.ipc4j.ErrnoException.class, () -> SocketServer.stream(endpoint));
            assertEquals("bind(" + path + ") failed: EADDRINUSE (Address already in use): a live socket is bound there:"
                    + " another server is running; ipc4j never takes over a live socket", live.getMessage());

            child.process().kill();
            child.process().waitFor(LIMIT);
            assertTrue(Files.exists(path), "SIGKILL left the socket file behind");
        }
        try (SocketServer<StreamSocket> server = SocketServer.stream(endpoint);
             StreamSocket client = StreamSocket.connect(endpoint, LIMIT);
             StreamSocket accepted = server.accept(LIMIT)) {
            assertEquals(ProcessHandle.current().pid(), accepted.peerCredentials().pid());
            assertTrue(client.isOpen());
        }
        assertFalse(Files.exists(path), "close removes the server's own socket file");
    }

    @Test
    void theSocketFileHasTheAskedModeAndAFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path path = LEAKS.scratch().resolve("mode.sock");
        try (SocketServer<StreamSocket> s = SocketServer.stream(UnixEndpoint.path(path))) {
            assertTrue(s.isOpen());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
        try (SocketServer<StreamSocket> s = SocketServer.stream(UnixEndpoint.path(path), 0660, 16)) {
            assertTrue(s.isOpen());
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        }
        Files.writeString(path, "precious");
        try {
            var e = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                    () -> SocketServer.stream(UnixEndpoint.path(path)));
            assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
            assertEquals("precious", Files.readString(path));
        } finally {
            Files.delete(path);
        }
    }

    @Test
    void tooLongMessagesStayQueuedAndErrorsSayWhatToDo() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            pair.first().send(ByteBuffer.wrap(new byte[100]));
            var e = assertThrows(MessageTooLongException.class,
                    () -> pair.second().receive(ByteBuffer.allocate(10), LIMIT));
            assertEquals(100, e.messageLength());
            assertEquals(100, pair.second().receive(ByteBuffer.allocate(100), LIMIT), "kept, not lost");
        }
        Path missing = LEAKS.scratch().resolve("nobody-here.sock");
        var noFile = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> StreamSocket.connect(UnixEndpoint.path(missing), LIMIT));
        assertEquals("connect(" + missing + ") failed: ENOENT (No such file or directory): there is no socket file"
                + " there: is the server running?", noFile.getMessage());
        var tooLong = assertThrows(IllegalArgumentException.class,
                () -> UnixEndpoint.path("/tmp/" + "x".repeat(120)));
        assertTrue(tooLong.getMessage().startsWith("socket path is 125 bytes, but sun_path holds at most 107"));
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            Pipe pipe = Pipe.open();
            pipe.close();
            assertThrows(java.nio.channels.ClosedChannelException.class,
                    () -> pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), pipe.reader()));
        }
    }

    @Test
    void mappingAnUnsealedDescriptorIsRefused() throws Exception {
        Path file = LEAKS.scratch().resolve("plain.bin");
        Files.write(file, new byte[4096]);
        try (SocketPair<StreamSocket> pair = StreamSocket.pair();
             OpenFile plain = OpenFile.readOnly(file)) {
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[1]), plain);
            try (ReceivedDescriptors got = pair.second().receiveDescriptors(ByteBuffer.allocate(1), LIMIT)) {
                var e = assertThrows(io.ipc4j.ErrnoException.class, () -> got.descriptors().getFirst().mapSealed());
                assertTrue(e.getMessage().contains("only sealed memory can be mapped safely"), e.getMessage());
            }
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void descriptorsTheKernelDropsAreReportedWithThoseThatArrived() throws Exception {
        List<Pipe> pipes = new java.util.ArrayList<>();
        try (SocketPair<StreamSocket> pair = StreamSocket.pair();
             ChildJvm.Running child = ChildJvm.of(SocketChildren.ReceiveWithFewDescriptorsLeft.class)
                     .inherit(pair.second(), 3).start()) {
            pair.second().close();
            for (int i = 0; i < 5; i++) {
                pipes.add(Pipe.open());
            }
            pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {5}),
                    pipes.stream().map(Pipe::reader).toArray(io.ipc4j.NativeDescriptor[]::new));
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            String report = result.stdoutLines().getFirst();
            assertTrue(report.matches("lost=true arrived=[0-4]"), result.describe());
            assertTrue(result.stdoutLines().get(1).endsWith("(MSG_CTRUNC); " + report.substring(report.length() - 1)
                    + " arrived: is this process at its limit of open descriptors (ulimit -n)?"), result.describe());
        } finally {
            pipes.forEach(Pipe::close);
        }
    }

    @Test
    void manyDescriptorsTravelInOneMessageInOrder() throws Exception {
        try (SocketPair<SeqpacketSocket> pair = SeqpacketSocket.pair()) {
            List<Pipe> pipes = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    pipes.add(Pipe.open());
                }
                pair.first().sendDescriptors(ByteBuffer.wrap(new byte[] {42}),
                        pipes.stream().map(Pipe::writer).toArray(io.ipc4j.NativeDescriptor[]::new));
                try (ReceivedDescriptors got = pair.second().receiveDescriptors(ByteBuffer.allocate(4), LIMIT)) {
                    assertEquals(1, got.bytes());
                    assertEquals(20, got.descriptors().size());
                    for (int i = 0; i < 20; i++) {
                        int flags = io.ipc4j.internal.posix.FileCalls.fcntl(got.descriptors().get(i).fd(),
                                io.ipc4j.internal.posix.FileCalls.F_GETFD, 0);
                        assertEquals(io.ipc4j.internal.posix.FileCalls.FD_CLOEXEC, flags & io.ipc4j.internal.posix.FileCalls.FD_CLOEXEC,
                                "received descriptors are close-on-exec");
                        try (var writer = got.descriptors().get(i).asPipeWriter()) {
                            writer.write(new byte[] {(byte) i});
                        }
                        byte[] one = new byte[1];
                        pipes.get(i).reader().read(ByteBuffer.wrap(one), LIMIT);
                        assertArrayEquals(new byte[] {(byte) i}, one);
                    }
                }
            } finally {
                pipes.forEach(Pipe::close);
            }
        }
    }
}
