package io.ipc4j.chat;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.event.Trigger;
import io.ipc4j.socket.PeerCredentials;
import io.ipc4j.socket.SendBatch;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A chat server on a Unix domain socket, speaking plain UTF-8 lines so that {@code socat - UNIX-CONNECT:PATH}
 * or {@code nc -U PATH} can chat.
 *
 * <h2>Protocol</h2>
 * A client sends lines: its first plain line (or {@code /nick NAME}) chooses its nick; then each line is a
 * message to everyone else, or a command: {@code /msg NICK TEXT}, {@code /nick NAME}, {@code /who},
 * {@code /me TEXT}, {@code /history N}, {@code /quit}, {@code /help}. The server sends lines: {@code <nick> text}
 * (a message), {@code * nick text} (an action), {@code *nick* text} (a private message to you),
 * {@code -> *nick* text} (yours, delivered), {@code *** ...} (events and answers), {@code !!! ...} (errors),
 * and {@code [YYYY-MM-DD HH:MM:SS] ...} (history).
 *
 * <h2>Guarantees</h2>
 * Every public message is appended to the {@link ChatLog} before anyone receives it. Nicks are unique. Lines
 * longer than the limit get an error and are dropped (the client stays); control characters are stripped and
 * invalid UTF-8 replaced; a client over its rate gets an error for each dropped message; a client whose queued
 * output passes the limit is disconnected (it stopped reading), so it cannot grow the server's memory. Each
 * client's uid and pid come from the kernel (peer credentials) and show in /who. One thread serves everyone,
 * on ipc4j's own {@link EventLoop} and native sockets.
 *
 * <p>This class is the transport: accepting, framing lines, queueing and writing output, disconnecting. What
 * the lines mean (nicks, commands, history, the log) is the {@link ChatRoom}'s, as kv keeps its commands apart
 * from its server.
 */
public final class ChatServer implements AutoCloseable {
    /** Most bytes read from one member in one turn of the loop (Redis reads 16 KiB a turn). */
    private static final int READ_BUDGET = 64 * 1024;
    /** Most bytes of one connection's waiting lines one send carries. */
    private static final int GATHER_BYTES = 64 * 1024;
    /** Connections a batch of sends reaches; a flush to more sends several batches. */
    private static final int BATCH_ENTRIES = 256;
    private static final int STAGING_BYTES = 1024 * 1024;
    /** A batch stops taking connections when less than this is left of its staging buffer. */
    private static final int MIN_STAGED = 4096;

    private final ChatConfig config;
    private final SocketServer<StreamSocket> listener;
    private final EventLoop loop;
    private final ChatLog log;
    private final ChatRoom room;
    private final Sanitizer sanitizer = new Sanitizer();
    /** Connections with output to write at the end of this turn of the loop. */
    private List<Connection> dirty = new ArrayList<>();
    /** Connections past their outbound limit, dropped once the broadcast that took them there is done. */
    private final List<Connection> overflowing = new ArrayList<>();
    /** One connection's waiting lines, gathered for one send; direct, so the socket sends it without a copy. */
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(GATHER_BYTES);
    /** Sends to many connections in one system call (where the kernel has io_uring). */
    private final SendBatch batch = SendBatch.open(BATCH_ENTRIES);
    /** The lines of a batch's connections, each connection's gathered in one run (direct: the kernel reads it). */
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    /** The connections of the batch being sent, by entry, and the length of each entry. */
    private final List<Connection> staged = new ArrayList<>();
    private final int[] stagedLengths = new int[BATCH_ENTRIES];
    /** The connections this round of a flush writes to (those dirty when it began; the two lists swap). */
    private List<Connection> flushing = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    private ChatServer(ChatConfig config, SocketServer<StreamSocket> listener, EventLoop loop, ChatLog log,
                       List<ChatRecord> recovered) {
        this.config = config;
        this.listener = listener;
        this.loop = loop;
        this.log = log;
        this.room = new ChatRoom(config, log, recovered, new Outbox());
    }

    /**
     * Recovers the log, binds the socket and starts serving on a thread of its own.
     *
     * @param config the configuration
     * @return the running server
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static ChatServer start(ChatConfig config) throws IOException {
        ArrayDeque<ChatRecord> recovered = new ArrayDeque<>();
        ChatLog log = ChatLog.open(config.logDirectory(), config.fsync(), config.groupAccess(), r -> {
            recovered.add(r);
            if (recovered.size() > ChatRoom.HISTORY_KEPT) {
                recovered.removeFirst();
            }
        });
        SocketServer<StreamSocket> listener = null;
        EventLoop loop;
        try {
            listener = SocketServer.stream(UnixEndpoint.path(config.socket()), config.socketMode(), 4096);
            loop = EventLoop.open();
            loop.register(listener, Interest.READ, Trigger.LEVEL, listener);
        } catch (IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            log.close();
            throw e;
        }
        ChatServer server = new ChatServer(config, listener, loop, log, List.copyOf(recovered));
        Thread.ofPlatform().name("ipc4j-chat").start(server::run);
        return server;
    }

    /**
     * What log recovery found at start.
     *
     * @return what log recovery found at start
     */
    public String recovery() {
        return log.recovery();
    }

    /** {@return the socket's path} */
    public java.nio.file.Path socket() {
        return config.socket();
    }

    /** Stops: no new clients, the socket file removed, everyone told and disconnected, the log closed. */
    public void shutdown() {
        stopping = true;
        loop.wakeup();
    }

    /**
     * Waits until the server has stopped after {@link #shutdown}.
     *
     * @param timeout the longest this call waits
     * @param unit the unit of {@code timeout}
     * @return whether it stopped in time
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    @Override
    public void close() {
        shutdown();
        try {
            awaitStopped(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Messages delivered to clients so far (one message to N others counts N).
     *
     * @return messages delivered to clients so far
     */
    public long delivered() {
        return room.delivered();
    }

    private void run() {
        try {
            while (!stopping) {
                loop.select(Duration.ofSeconds(1));
                List<Registration> ready = loop.ready();
                for (int i = 0; i < ready.size(); i++) {
                    handle(ready.get(i));
                }
                flushDirty();
            }
            farewell();
        } catch (IOException | RuntimeException e) {
            System.err.println("[ipc4j-chat] server loop failed: " + e);
            e.printStackTrace();
        } finally {
            listener.close(); // removes the socket file, if it is still this server's
            loop.close();
            batch.close();
            try {
                log.close();
            } catch (IOException e) {
                System.err.println("[ipc4j-chat] closing the log: " + e);
            }
            stopped.countDown();
        }
    }

    private void handle(Registration r) throws IOException {
        if (!r.isValid()) {
            return;
        }
        if (r.attachment() == listener) {
            accept();
            return;
        }
        Connection c = (Connection) r.attachment();
        try {
            if (r.isWritable()) {
                write(c);
            }
            if (!c.closed && r.isReadable()) {
                read(c);
            }
        } catch (IOException e) {
            disconnect(c, "left");
        } catch (RuntimeException e) { // a bug must cost one connection, never the server
            System.err.println("[ipc4j-chat] dropping " + c.member.describe() + " after an internal error: " + e);
            e.printStackTrace();
            disconnect(c, "left");
        }
    }

    private void accept() throws IOException {
        StreamSocket socket;
        while ((socket = listener.acceptNow()) != null) {
            PeerCredentials peer;
            try {
                peer = socket.peerCredentials(); // from the kernel, recorded at connect
            } catch (IOException e) {
                socket.close(); // gone before it was accepted
                continue;
            }
            Connection c = new Connection(socket, peer.uid(), peer.pid(), config.maxLine());
            c.registration = loop.register(socket, Interest.READ, Trigger.LEVEL, c);
            c.member = room.join(c);
        }
    }

    /**
     * Reads and handles what a client sent, up to {@link #READ_BUDGET} bytes a turn: a sender far ahead gets
     * its lines handled in batches this big, so every other member gets them in one send per batch (one
     * syscall for many lines), while a flood from one client cannot starve the others.
     */
    private void read(Connection c) throws IOException {
        int budget = READ_BUDGET;
        while (budget > 0 && !c.closed) {
            int room = c.input.remaining();
            int n = c.socket.readNow(c.input);
            if (n < 0) {
                disconnect(c, "left");
                return;
            }
            budget -= n;
            handleLines(c);
            if (n == 0 || n < room) {
                return; // the socket had no more
            }
        }
    }

    /** Hands the complete lines in the client's input to the room; keeps the start of an unfinished one. */
    private void handleLines(Connection c) throws IOException {
        c.input.flip();
        while (!c.closed) {
            int newline = -1;
            for (int i = c.input.position(); i < c.input.limit(); i++) {
                if (c.input.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            if (newline < 0) {
                if (!c.input.hasRemaining() || c.input.remaining() < c.input.capacity()) {
                    break;
                }
                // a full buffer and no newline: the line is too long; say so once, then skip to its end
                if (!c.skipping) {
                    room.lineTooLong(c.member);
                }
                c.skipping = true;
                c.input.position(c.input.limit());
                break;
            }
            ByteBuffer line = c.input.slice(c.input.position(), newline - c.input.position());
            c.input.position(newline + 1);
            if (c.skipping) {
                c.skipping = false; // the tail of the long line ends here
                continue;
            }
            room.onLine(c.member, sanitizer.clean(line));
        }
        c.input.compact();
    }

    /** The room's way to its members' connections. */
    private final class Outbox implements ChatRoom.Outbox {
        @Override
        public void enqueue(Member to, ByteBuffer line) {
            ChatServer.this.enqueue(to.connection, line);
        }

        @Override
        public void afterSending() {
            disconnectOverflowing();
        }

        @Override
        public void closeWhenFlushed(Member member) {
            member.connection.closeWhenFlushed = true;
        }
    }

    private void enqueue(Connection c, ByteBuffer bytes) {
        if (c.closed) {
            return;
        }
        if (c.outboundBytes > config.outboundLimit()) {
            return; // over its limit already: dropped once the current broadcast is done
        }
        c.outbound.add(bytes);
        c.outboundBytes += bytes.remaining();
        if (c.outboundBytes > config.outboundLimit()) {
            overflowing.add(c);
            return;
        }
        if (c.outbound.size() == 1) {
            dirty.add(c);
        }
    }

    /** Disconnects the clients that passed their outbound limit; each is announced, which may add more. */
    private void disconnectOverflowing() {
        while (!overflowing.isEmpty()) {
            Connection c = overflowing.removeLast();
            System.err.println("[ipc4j-chat] disconnecting " + c.member.describe() + ": " + c.outboundBytes
                    + " bytes waiting, over the limit of " + config.outboundLimit() + " (it stopped reading)");
            disconnect(c, "was disconnected (not reading)");
        }
    }

    /**
     * Writes to every client with new output, a batch of clients at a time: one system call for the batch where
     * the kernel has io_uring ({@link SendBatch}). Writing can drop a client, which queues more output.
     */
    private void flushDirty() {
        while (!dirty.isEmpty()) {
            List<Connection> round = dirty; // swapped, not copied: a turn allocates nothing
            dirty = flushing;
            flushing = round;
            int next = 0;
            while (next < flushing.size()) {
                next = stage(next);
                sendStaged();
            }
            flushing.clear();
        }
    }

    /**
     * Gathers the waiting lines of {@link #flushing}'s connections from {@code from} into {@link #staging}, an
     * entry of {@link #batch} each, until either is full: the index of the first connection left for later. A
     * connection waiting for the same lines as the one gathered before it (the members of a busy room, one
     * broadcast after another) is sent those staged bytes again instead of a copy of its own.
     */
    private int stage(int from) {
        staging.clear();
        Connection gathered = null;
        int start = 0;
        int length = 0;
        int i = from;
        for (; i < flushing.size() && !batch.isFull() && staging.remaining() >= MIN_STAGED; i++) {
            Connection c = flushing.get(i);
            if (c.closed || c.staged || c.outbound.isEmpty()) {
                continue; // gone, in this batch already, or written when its socket was ready
            }
            if (gathered == null || !sameWaiting(gathered, c)) {
                start = staging.position();
                gather(c, staging);
                length = staging.position() - start;
                gathered = c;
            }
            stagedLengths[batch.add(c.socket, staging, start, length)] = length;
            c.staged = true;
            staged.add(c);
        }
        return i;
    }

    /**
     * Whether {@code b} waits for the same bytes as {@code a}: the same shared line buffers in the same order,
     * as much of the first written. Lines are never modified, so the same buffers are the same bytes.
     */
    private static boolean sameWaiting(Connection a, Connection b) {
        if (a.headWritten != b.headWritten || a.outbound.size() != b.outbound.size()) {
            return false;
        }
        java.util.Iterator<ByteBuffer> x = a.outbound.iterator();
        for (ByteBuffer line : b.outbound) {
            if (x.next() != line) {
                return false;
            }
        }
        return true;
    }

    /** Sends the batch, then takes each connection's written lines off its queue. */
    private void sendStaged() {
        batch.send();
        for (int j = 0; j < staged.size(); j++) {
            Connection c = staged.get(j);
            c.staged = false;
            if (c.closed) {
                continue; // dropped meanwhile (over its limit after an earlier entry's leaving): queue cleared
            }
            if (batch.failure(j) != null) {
                disconnect(c, "left");
                continue;
            }
            int n = batch.sent(j);
            c.outboundBytes -= n;
            consume(c, n);
            try {
                afterWriting(c, n < stagedLengths[j]);
            } catch (IOException e) {
                disconnect(c, "left");
            }
        }
        batch.clear();
        staged.clear();
    }

    /** Writes what {@code c}'s socket takes now, when it said it has room again (or as the server stops). */
    private void write(Connection c) throws IOException {
        if (c.closed) {
            return;
        }
        boolean full = false;
        while (!c.outbound.isEmpty() && !full) {
            outgoing.clear();
            gather(c, outgoing);
            outgoing.flip();
            int n = c.socket.writeNow(outgoing);
            c.outboundBytes -= n;
            consume(c, n);
            full = outgoing.hasRemaining();
        }
        afterWriting(c, full);
    }

    /**
     * After a write to {@code c}: closes it if it was to close once flushed; else asks to hear when a full
     * socket has room again, or queues the next part of a long queue for this turn's flush.
     */
    private void afterWriting(Connection c, boolean socketFull) throws IOException {
        if (c.outbound.isEmpty() && c.closeWhenFlushed) {
            disconnect(c, "left");
            return;
        }
        if (!socketFull && !c.outbound.isEmpty()) {
            dirty.add(c); // more than one gather's worth waited: the next round of this flush
        }
        if (c.registration.isValid()) {
            c.registration.interest(socketFull ? Interest.READ_WRITE : Interest.READ);
        }
    }

    /**
     * Copies as many of {@code c}'s waiting lines as fit into {@code into} from its position, at most
     * {@link #GATHER_BYTES}, and moves the position past them.
     */
    private static void gather(Connection c, ByteBuffer into) {
        int end = Math.min(into.limit(), into.position() + GATHER_BYTES);
        int skip = c.headWritten;
        for (ByteBuffer line : c.outbound) {
            int length = Math.min(line.remaining() - skip, end - into.position());
            into.put(into.position(), line, line.position() + skip, length);
            into.position(into.position() + length);
            skip = 0;
            if (into.position() == end) {
                break;
            }
        }
    }

    /** Forgets the first {@code written} bytes of {@code c}'s waiting lines. */
    private static void consume(Connection c, int written) {
        while (written > 0) {
            ByteBuffer head = c.outbound.peekFirst();
            int left = head.remaining() - c.headWritten;
            if (written < left) {
                c.headWritten += written;
                return;
            }
            written -= left;
            c.outbound.pollFirst();
            c.headWritten = 0;
        }
    }

    /** Closes the connection (which leaves the loop too), then lets the room forget its member. */
    private void disconnect(Connection c, String why) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        c.outbound.clear();
        c.headWritten = 0;
        c.socket.close();
        room.leave(c.member, why);
    }

    private void farewell() {
        for (Member m : room.members()) {
            room.shuttingDown(m);
            try {
                write(m.connection);
            } catch (IOException ignored) {
                // leaving anyway
            }
            disconnect(m.connection, null);
        }
    }
}
