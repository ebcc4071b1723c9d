package io.ipc4j.cli;

import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Another user's process squatting a chat socket path (args: the path): accepts one client and prints every
 * line it is sent, as an impostor logging what its victim types would.
 */
final class ImpostorServer {
    private ImpostorServer() {
    }

    public static void main(String[] args) throws Exception {
        try (SocketServer<StreamSocket> server = SocketServer.stream(UnixEndpoint.path(Path.of(args[0])),
                0666, 16)) {
            System.out.println("listening");
            try (StreamSocket victim = server.accept(Duration.ofSeconds(60))) {
                BufferedReader in = new BufferedReader(new InputStreamReader(victim.inputStream(),
                        StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println("heard: " + line);
                }
            }
        }
    }
}
