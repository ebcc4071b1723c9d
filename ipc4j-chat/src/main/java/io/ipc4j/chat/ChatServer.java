package io.ipc4j.chat;

import io.ipc4j.event.EventLoop;
import io.ipc4j.event.Interest;
import io.ipc4j.event.Registration;
import io.ipc4j.event.Trigger;
import io.ipc4j.socket.PeerCredentials;
import io.ipc4j.socket.SocketServer;
import io.ipc4j.socket.StreamSocket;
import io.ipc4j.socket.UnixEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

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
 */
public final class ChatServer implements AutoCloseable {
    private static final Pattern NICK = Pattern.compile("[A-Za-z0-9_-]{1,20}");
    private static final int HISTORY_KEPT = 1000;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final ChatConfig config;
    private final SocketServer<StreamSocket> listener;
    private final EventLoop loop;
    private final ChatLog log;
    private final ArrayDeque<ChatRecord> history = new ArrayDeque<>();
    private final Map<String, Member> byNick = new HashMap<>();
    private final Map<Long, Member> members = new LinkedHashMap<>();
    private final List<Member> dirty = new ArrayList<>();
    private final Sanitizer sanitizer = new Sanitizer();
    /** Members past their outbound limit, dropped once the broadcast that took them there is done. */
    private final List<Member> overflowing = new ArrayList<>();
    /** One member's waiting lines, gathered for one send; direct, so the socket sends it without a copy. */
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(64 * 1024);
    /** Most bytes read from one member in one turn of the loop (Redis reads 16 KiB a turn). */
    private static final int READ_BUDGET = 64 * 1024;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private long nextId = 1;
    private long delivered;

    private ChatServer(ChatConfig config, SocketServer<StreamSocket> listener, EventLoop loop, ChatLog log) {
        this.config = config;
        this.listener = listener;
        this.loop = loop;
        this.log = log;
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
            if (recovered.size() > HISTORY_KEPT) {
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
        ChatServer server = new ChatServer(config, listener, loop, log);
        server.history.addAll(recovered);
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
        Member m = (Member) r.attachment();
        try {
            if (r.isWritable()) {
                write(m);
            }
            if (!m.closed && r.isReadable()) {
                read(m);
            }
        } catch (IOException e) {
            drop(m, "left");
        } catch (RuntimeException e) { // a bug must cost one connection, never the server
            System.err.println("[ipc4j-chat] dropping " + m.describe() + " after an internal error: " + e);
            e.printStackTrace();
            drop(m, "left");
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
            Member m = new Member(nextId++, socket, peer.uid(), peer.pid(), config.maxLine(), config.burst());
            m.registration = loop.register(socket, Interest.READ, Trigger.LEVEL, m);
            members.put(m.id, m);
            send(m, "*** welcome to ipc4j-chat: type a nick (or /nick NAME), then chat; /help lists the commands");
        }
    }

    /**
     * Reads and handles what a member sent, up to {@link #READ_BUDGET} bytes a turn: a sender far ahead gets
     * its lines handled in batches this big, so every other member gets them in one send per batch (one
     * syscall for many lines), while a flood from one member cannot starve the others.
     */
    private void read(Member m) throws IOException {
        int budget = READ_BUDGET;
        while (budget > 0 && !m.closed) {
            int room = m.input.remaining();
            int n = m.socket.readNow(m.input);
            if (n < 0) {
                drop(m, "left");
                return;
            }
            budget -= n;
            handleLines(m);
            if (n == 0 || n < room) {
                return; // the socket had no more
            }
        }
    }

    /** Handles the complete lines in the member's input; keeps the start of an unfinished one. */
    private void handleLines(Member m) throws IOException {
        m.input.flip();
        while (!m.closed) {
            int newline = -1;
            for (int i = m.input.position(); i < m.input.limit(); i++) {
                if (m.input.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            if (newline < 0) {
                if (!m.input.hasRemaining() || m.input.remaining() < m.input.capacity()) {
                    break;
                }
                // a full buffer and no newline: the line is too long; say so once, then skip to its end
                if (!m.skipping) {
                    send(m, "!!! line too long (the most is " + config.maxLine() + " bytes): dropped");
                }
                m.skipping = true;
                m.input.position(m.input.limit());
                break;
            }
            ByteBuffer line = m.input.slice(m.input.position(), newline - m.input.position());
            m.input.position(newline + 1);
            if (m.skipping) {
                m.skipping = false; // the tail of the long line ends here
                continue;
            }
            m.lastActiveMillis = System.currentTimeMillis();
            onLine(m, sanitizer.clean(line));
        }
        m.input.compact();
    }

    private void onLine(Member m, String line) throws IOException {
        if (line.isEmpty()) {
            return;
        }
        if (!line.startsWith("/")) {
            if (m.nick == null) {
                nick(m, line);
            } else {
                say(m, line);
            }
            return;
        }
        int space = line.indexOf(' ');
        String command = (space < 0 ? line : line.substring(0, space)).toLowerCase(java.util.Locale.ROOT);
        String rest = space < 0 ? "" : line.substring(space + 1).strip();
        if (m.nick == null && !command.equals("/nick") && !command.equals("/quit") && !command.equals("/help")) {
            send(m, "!!! choose a nick first: /nick NAME");
            return;
        }
        switch (command) {
            case "/nick" -> nick(m, rest);
            case "/msg" -> privately(m, rest);
            case "/me" -> {
                if (rest.isEmpty()) {
                    send(m, "!!! usage: /me TEXT");
                } else {
                    say(m, ChatRecord.ACTION + rest);
                }
            }
            case "/who" -> who(m);
            case "/history" -> history(m, rest);
            case "/quit" -> {
                send(m, "*** bye");
                m.closeWhenFlushed = true;
            }
            case "/help" -> send(m, "*** commands: /nick NAME, /msg NICK TEXT, /me TEXT, /who, /history N, /quit;"
                    + " any other line goes to everyone");
            default -> send(m, "!!! unknown command " + command + "; /help lists the commands");
        }
    }

    private void nick(Member m, String wanted) {
        if (!NICK.matcher(wanted).matches()) {
            send(m, "!!! a nick is 1 to 20 letters, digits, '_' or '-'");
            return;
        }
        Member holder = byNick.get(wanted.toLowerCase(java.util.Locale.ROOT));
        if (holder != null) {
            send(m, holder == m ? "*** you are " + wanted + " already" : "!!! the nick " + wanted + " is taken");
            return;
        }
        String old = m.nick;
        if (old != null) {
            byNick.remove(old.toLowerCase(java.util.Locale.ROOT));
        }
        m.nick = wanted;
        byNick.put(wanted.toLowerCase(java.util.Locale.ROOT), m);
        if (old == null) {
            send(m, "*** you are " + wanted + "; " + (byNick.size() - 1) + " others here");
            replay(m, config.historyOnJoin());
            broadcast(m, "*** " + m.describe() + " joined");
        } else {
            send(m, "*** you are now " + wanted);
            broadcast(m, "*** " + old + " is now " + wanted);
        }
    }

    private void say(Member m, String text) throws IOException {
        if (!m.allow(config.ratePerSecond(), config.burst())) {
            send(m, "!!! slow down: at most " + (int) config.ratePerSecond() + " messages a second; dropped");
            return;
        }
        ChatRecord record = new ChatRecord(System.currentTimeMillis(), m.nick, text);
        log.append(record); // logged before anyone sees it
        history.addLast(record);
        if (history.size() > HISTORY_KEPT) {
            history.removeFirst();
        }
        broadcast(m, record.line());
    }

    private void privately(Member m, String rest) {
        int space = rest.indexOf(' ');
        if (space < 0 || rest.substring(space + 1).isBlank()) {
            send(m, "!!! usage: /msg NICK TEXT");
            return;
        }
        String to = rest.substring(0, space);
        Member target = byNick.get(to.toLowerCase(java.util.Locale.ROOT));
        if (target == null) {
            send(m, "!!! no one is called " + to);
            return;
        }
        if (!m.allow(config.ratePerSecond(), config.burst())) {
            send(m, "!!! slow down: at most " + (int) config.ratePerSecond() + " messages a second; dropped");
            return;
        }
        String text = rest.substring(space + 1).strip();
        send(target, "*" + m.nick + "* " + text);
        send(m, "-> *" + target.nick + "* " + text);
    }

    private void who(Member m) {
        long now = System.currentTimeMillis();
        List<Member> named = members.values().stream().filter(x -> x.nick != null).toList();
        send(m, "*** " + named.size() + " here:");
        for (Member x : named) {
            send(m, "***   " + x.describe() + ", idle " + (now - x.lastActiveMillis) / 1000 + " s");
        }
    }

    private void history(Member m, String count) {
        int n;
        try {
            n = Integer.parseInt(count);
        } catch (NumberFormatException e) {
            send(m, "!!! usage: /history N (1 to " + HISTORY_KEPT + ")");
            return;
        }
        if (n < 1 || n > HISTORY_KEPT) {
            send(m, "!!! usage: /history N (1 to " + HISTORY_KEPT + ")");
            return;
        }
        replay(m, n);
    }

    private void replay(Member m, int n) {
        int skip = Math.max(0, history.size() - n);
        int i = 0;
        for (ChatRecord r : history) {
            if (i++ >= skip) {
                send(m, "[" + STAMP.format(Instant.ofEpochMilli(r.millis())) + "] " + r.line());
            }
        }
    }

    /** Sends {@code line} to every member with a nick except {@code from}. */
    private void broadcast(Member from, String line) {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        for (Member x : members.values()) { // enqueue never changes the map: drops wait until after
            if (x != from && x.nick != null && !x.closed) {
                enqueue(x, bytes);
                delivered++;
            }
        }
        dropOverflowing();
    }

    private void send(Member m, String line) {
        enqueue(m, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        dropOverflowing();
    }

    /** Drops the members that passed their outbound limit; each drop is announced, which may add more. */
    private void dropOverflowing() {
        while (!overflowing.isEmpty()) {
            Member m = overflowing.removeLast();
            System.err.println("[ipc4j-chat] disconnecting " + m.describe() + ": " + m.outboundBytes
                    + " bytes waiting, over the limit of " + config.outboundLimit() + " (it stopped reading)");
            drop(m, "was disconnected (not reading)");
        }
    }

    private void enqueue(Member m, ByteBuffer bytes) {
        if (m.closed) {
            return;
        }
        if (m.outboundBytes > config.outboundLimit()) {
            return; // over its limit already: dropped once the current broadcast is done
        }
        m.outbound.add(bytes);
        m.outboundBytes += bytes.remaining();
        if (m.outboundBytes > config.outboundLimit()) {
            overflowing.add(m);
            return;
        }
        if (m.outbound.size() == 1) {
            dirty.add(m);
        }
    }

    /** Writes to every member with new output; writing can drop a member, which queues more output. */
    private void flushDirty() {
        while (!dirty.isEmpty()) {
            List<Member> batch = new ArrayList<>(dirty);
            dirty.clear();
            for (Member m : batch) {
                try {
                    write(m);
                } catch (IOException e) {
                    drop(m, "left");
                }
            }
        }
    }

    private void write(Member m) throws IOException {
        if (m.closed) {
            return;
        }
        while (!m.outbound.isEmpty()) {
            gather(m);
            int n = m.socket.writeNow(outgoing);
            m.outboundBytes -= n;
            consume(m, n);
            if (outgoing.hasRemaining()) {
                break; // the socket is full: the rest waits for the write interest
            }
        }
        if (m.outbound.isEmpty() && m.closeWhenFlushed) {
            drop(m, "left");
            return;
        }
        if (m.registration.isValid()) {
            m.registration.interest(m.outbound.isEmpty() ? Interest.READ : Interest.READ_WRITE);
        }
    }

    /** Copies as many of {@code m}'s waiting lines as fit into {@link #outgoing}, ready to send. */
    private void gather(Member m) {
        outgoing.clear();
        int skip = m.headWritten;
        for (ByteBuffer line : m.outbound) {
            int length = Math.min(line.remaining() - skip, outgoing.remaining());
            outgoing.put(outgoing.position(), line, line.position() + skip, length);
            outgoing.position(outgoing.position() + length);
            skip = 0;
            if (!outgoing.hasRemaining()) {
                break;
            }
        }
        outgoing.flip();
    }

    /** Forgets the first {@code written} bytes of {@code m}'s waiting lines. */
    private static void consume(Member m, int written) {
        while (written > 0) {
            ByteBuffer head = m.outbound.peekFirst();
            int left = head.remaining() - m.headWritten;
            if (written < left) {
                m.headWritten += written;
                return;
            }
            written -= left;
            m.outbound.pollFirst();
            m.headWritten = 0;
        }
    }

    private void drop(Member m, String why) {
        if (m.closed) {
            return;
        }
        m.closed = true;
        members.remove(m.id);
        if (m.nick != null) {
            byNick.remove(m.nick.toLowerCase(java.util.Locale.ROOT));
        }
        m.outbound.clear();
        m.headWritten = 0;
        m.socket.close(); // leaves the loop too
        if (why != null && m.nick != null) {
            broadcast(null, "*** " + m.nick + " " + why);
        }
    }

    private void farewell() {
        for (Member m : new ArrayList<>(members.values())) {
            send(m, "*** the server is shutting down");
            try {
                write(m);
            } catch (IOException ignored) {
                // leaving anyway
            }
            drop(m, null);
        }
    }

    /**
     * Messages delivered to clients so far (one message to N others counts N).
     *
     * @return messages delivered to clients so far
     */
    public long delivered() {
        return delivered;
    }
}
