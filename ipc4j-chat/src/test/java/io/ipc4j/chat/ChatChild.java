package io.ipc4j.chat;

import io.ipc4j.signal.GracefulShutdown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A chat server in a child JVM: {@code SOCKET LOGDIR RATE OUTBOUND_LIMIT}. Prints "ready RECOVERY". */
public final class ChatChild {
    private ChatChild() {
    }

    public static void main(String[] args) throws Exception {
        ChatConfig config = ChatConfig.defaults(Path.of(args[0]), Path.of(args[1]))
                .withRate(Double.parseDouble(args[2]), 40).withOutboundLimit(Integer.parseInt(args[3]));
        ChatServer server = ChatServer.start(config);
        GracefulShutdown.install().add("stop", server::close);
        System.out.println("ready " + server.recovery());
        server.awaitStopped(10, TimeUnit.MINUTES);
    }
}
