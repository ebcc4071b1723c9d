package io.ipc4j.bench.echo;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.event.Trigger;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** The three echo servers, each on one thread, each echoing what it reads as soon as it reads it. */
final class Servers {
    static final List<String> NAMES = List.of("ipc4j", "netty", "jdk");
    private static final int BUFFER = 16 * 1024;
    private static final int BACKLOG = 4096;

    private Servers() {
    }

    static EchoServer.Implementation byName(String name) {
        return switch (name) {
            case "ipc4j" -> Servers::ipc4j;
            case "netty" -> Servers::netty;
            case "jdk" -> Servers::jdk;
            default -> throw new IllegalArgumentException("no echo server " + name + "; one of " + NAMES);
        };
    }

    /**
     * ipc4j's EventLoop: level-triggered reads, written straight back; a connection whose peer does not read
     * waits for room with write interest only (it reads nothing more until then).
     */
    private static void ipc4j(Path path, Runnable listening) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        try (EventLoop loop = EventLoop.open();
             SocketServer<StreamSocket> server = SocketServer.stream(UnixEndpoint.path(path), 0600, BACKLOG)) {
            loop.register(server, Interest.READ, Trigger.LEVEL, r -> {
                for (StreamSocket client; (client = server.acceptNow()) != null; ) {
                    StreamSocket socket = client;
                    loop.register(socket, Interest.READ, Trigger.LEVEL, new Ipc4jConnection(socket, in));
                }
            });
            listening.run();
            loop.run();
        }
    }

    /** One ipc4j connection: what could not be written yet waits in {@code pending}. */
    private static final class Ipc4jConnection implements EventLoop.Handler {
        private final StreamSocket socket;
        private final ByteBuffer in;
        private ByteBuffer pending;

        Ipc4jConnection(StreamSocket socket, ByteBuffer in) {
            this.socket = socket;
            this.in = in;
        }

        @Override
        public void ready(Registration r) {
            try {
                echo(r);
            } catch (IOException e) { // the client went away: so does its connection
                r.cancel();
                socket.close();
            }
        }

        private void echo(Registration r) throws IOException {
            if (pending != null) {
                socket.writeNow(pending);
                if (pending.hasRemaining()) {
                    return;
                }
                pending = null;
                r.interest(Interest.READ);
            }
            int n = socket.readNow(in.clear());
            if (n < 0) {
                r.cancel();
                socket.close();
                return;
            }
            in.flip();
            socket.writeNow(in);
            if (in.hasRemaining()) {
                pending = ByteBuffer.allocate(in.remaining()).put(in).flip();
                r.interest(Interest.WRITE);
            }
        }
    }

    /** netty's native epoll transport, one event loop thread for accepting and serving. */
    private static void netty(Path path, Runnable listening) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childHandler(new NettyEcho()).bind(new DomainSocketAddress(path.toFile())).sync().channel();
            group.submit(listening).sync();
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Writes back what it reads; flushes once per read batch (netty's own echo example). */
    @ChannelHandler.Sharable
    private static final class NettyEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write((ByteBuf) msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The JDK's Selector over Unix-domain SocketChannels. */
    private static void jdk(Path path, Runnable listening) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
        try (Selector selector = Selector.open();
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), BACKLOG).configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            listening.run();
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        for (SocketChannel client; (client = server.accept()) != null; ) {
                            client.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                        }
                    } else {
                        try {
                            jdkEcho(key, in);
                        } catch (IOException e) { // the client went away: so does its connection
                            key.cancel();
                            key.channel().close();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    private static void jdkEcho(SelectionKey key, ByteBuffer in) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        ByteBuffer pending = (ByteBuffer) key.attachment();
        if (pending != null) {
            channel.write(pending);
            if (pending.hasRemaining()) {
                return;
            }
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
        }
        int n = channel.read(in.clear());
        if (n < 0) {
            key.cancel();
            channel.close();
            return;
        }
        in.flip();
        channel.write(in);
        if (in.hasRemaining()) {
            key.attach(ByteBuffer.allocate(in.remaining()).put(in).flip());
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }
}
