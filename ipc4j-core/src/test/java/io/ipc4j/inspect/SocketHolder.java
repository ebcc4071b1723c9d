package io.ipc4j.inspect;

import io.ipc4j.socket.SocketPair;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child holding Unix sockets whose peers inspect must find: a socketpair, a listener with an accepted
 * connection (5 bytes waiting on the accepted end) and one more waiting to be accepted, and a connection the
 * parent makes to the same listener, and a listener on an abstract name with a connection to it. args: the
 * socket path. Prints "fds PAIR1 PAIR2 LISTENER CLIENT ACCEPTED PARENTS WAITING ABSTRACT TO FROM", then waits
 * to be killed.
 */
final class SocketHolder {
    private SocketHolder() {
    }

    public static void main(String[] args) throws Exception {
        Duration limit = Duration.ofSeconds(60);
        SocketPair<StreamSocket> pair = StreamSocket.pair();
        SocketServer<StreamSocket> server = SocketServer.stream(UnixEndpoint.path(Path.of(args[0])));
        StreamSocket client = StreamSocket.connect(UnixEndpoint.path(Path.of(args[0])), limit);
        StreamSocket accepted = server.accept(limit);
        client.write(ByteBuffer.wrap("hello".getBytes()), limit);
        System.out.println("listening");
        StreamSocket parents = server.accept(limit); // the parent's connection, after "listening"
        StreamSocket waiting = StreamSocket.connect(UnixEndpoint.path(Path.of(args[0])), limit); // never accepted
        UnixEndpoint abstractName = UnixEndpoint.abstractName("ipc4j-holder-" + ProcessHandle.current().pid());
        SocketServer<StreamSocket> hidden = SocketServer.stream(abstractName);
        StreamSocket toHidden = StreamSocket.connect(abstractName, limit);
        StreamSocket fromHidden = hidden.accept(limit);
        System.out.println("fds " + pair.first().fd() + " " + pair.second().fd() + " " + server.fd() + " "
                + client.fd() + " " + accepted.fd() + " " + parents.fd() + " " + waiting.fd() + " " + hidden.fd() + " "
                + toHidden.fd() + " " + fromHidden.fd());
        Thread.sleep(Duration.ofMinutes(5));
    }
}
