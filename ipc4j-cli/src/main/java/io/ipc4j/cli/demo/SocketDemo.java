package io.ipc4j.cli.demo;

import io.ipc4j.process.ChildProcess;
import io.ipc4j.process.ExitStatus;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import io.ipc4j.socket.OpenFile;
import io.ipc4j.socket.PeerCredentials;
import io.ipc4j.socket.ReceivedDescriptors;
import io.ipc4j.socket.SealedMemory;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;

/**
 * The textbook's Unix socket client and server as two processes, then what only Unix sockets can do: the
 * server learns who the client is from the kernel, hands it an open file it could not open itself, and sends
 * 4 MiB by handle as sealed memory instead of through the socket.
 */
@Command(name = "socket", mixinStandardHelpOptions = true,
        description = "A server and a client process on a Unix socket: messages, peer credentials, fd passing.")
public final class SocketDemo implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int PAYLOAD = 4 << 20;

    @Override
    public Integer call() throws IOException {
        Path directory = Files.createTempDirectory("ipc4j-demo-socket-");
        Path socketFile = directory.resolve("server.sock");
        Path privateFile = directory.resolve("server-only.txt");
        // a finally block does not run on INT, TERM or HUP: the clean-up is registered to run then too
        GracefulShutdown cleanup = GracefulShutdown.install().deleteOnExit(directory).deleteOnExit(socketFile)
                .deleteOnExit(privateFile);
        Files.writeString(privateFile, "a line from a file only the server opened\n");
        try (SocketServer<StreamSocket> server = SocketServer.stream(UnixEndpoint.path(socketFile));
             ChildProcess client = Spawn.java(Client.class.getName(), socketFile.toString()).start()) {
            cleanup.closeOnExit("stop the client", client);
            Say.parent("listening on %s (mode 0600: only this user may connect)", socketFile);
            try (StreamSocket connection = server.accept(TIMEOUT)) {
                PeerCredentials peer = connection.peerCredentials();
                Say.parent("accepted a client; the kernel says it is pid %d, uid %d, gid %d", peer.pid(), peer.uid(),
                        peer.gid());
                Say.parent("<- \"%s\"", readLine(connection));
                connection.write(StandardCharsets.UTF_8.encode("Hello from server!\n"), TIMEOUT);
                try (OpenFile file = OpenFile.readOnly(privateFile)) {
                    connection.sendDescriptors(ByteBuffer.wrap(new byte[] {'F'}), file);
                    Say.parent("sent the open file %s as a descriptor (SCM_RIGHTS)", privateFile.getFileName());
                }
                byte[] payload = new byte[PAYLOAD];
                new java.util.SplittableRandom(1).nextBytes(payload);
                try (SealedMemory memory = SealedMemory.of("demo-payload", payload)) {
                    connection.sendDescriptors(ByteBuffer.wrap(new byte[] {'M'}), memory);
                    Say.parent("sent %d bytes by handle: a sealed memfd, crc32c %s", PAYLOAD, crc(payload));
                }
                Say.parent("<- \"%s\"", readLine(connection));
            }
            ExitStatus status = client.waitFor(TIMEOUT);
            Say.parent("client ended: %s", status);
            return status.succeeded() ? 0 : 1;
        } finally {
            Say.parent("closed the server: socket file %s", Files.exists(socketFile) ? "left behind!" : "removed");
            cleanup.runNow();
        }
    }

    private static String crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
    }

    /** Reads up to a newline, one byte at a time: enough for a demo's short lines. */
    static String readLine(StreamSocket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (socket.read(one.clear(), TIMEOUT) > 0 && one.get(0) != '\n') {
            line.append((char) one.get(0));
        }
        return line.toString();
    }

    /** The client process: knows only the socket's path. */
    public static final class Client {
        public static void main(String[] args) throws IOException {
            try (StreamSocket socket = StreamSocket.connect(UnixEndpoint.path(args[0]), TIMEOUT)) {
                Say.child("connected to %s", args[0]);
                socket.write(StandardCharsets.UTF_8.encode("Hello from client!\n"), TIMEOUT);
                Say.child("<- \"%s\"", readLine(socket));
                try (ReceivedDescriptors got = socket.receiveDescriptors(ByteBuffer.allocate(1), TIMEOUT);
                     ByteChannel file = got.descriptors().getFirst().asChannel()) {
                    ByteBuffer text = ByteBuffer.allocate(256);
                    file.read(text);
                    Say.child("read through the passed descriptor: \"%s\"",
                            StandardCharsets.UTF_8.decode(text.flip()).toString().strip());
                }
                try (ReceivedDescriptors got = socket.receiveDescriptors(ByteBuffer.allocate(1), TIMEOUT);
                     SealedMemory.Mapping mapping = got.descriptors().getFirst().mapSealed()) {
                    CRC32C crc = new CRC32C();
                    crc.update(mapping.segment().asByteBuffer());
                    Say.child("mapped %d bytes read-only, no copy through the socket: crc32c %s",
                            mapping.segment().byteSize(), Long.toHexString(crc.getValue()));
                }
                socket.write(StandardCharsets.UTF_8.encode("Thanks, bye!\n"), TIMEOUT);
            }
        }

        private Client() {
        }
    }
}
