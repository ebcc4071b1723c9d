package io.ipc4j.chat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chat itself, apart from how bytes move: members and their nicks, the commands, the history and the log,
 * rate limits, and who hears what. It hands each line to send to an {@link Outbox}, which the transport
 * ({@link ChatServer}) provides. One thread: the server's loop.
 */
final class ChatRoom {
    static final int HISTORY_KEPT = 1000;
    private static final Pattern NICK = Pattern.compile("[A-Za-z0-9_-]{1,20}");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    /** Where the room's lines go: the transport queues them on each member's connection. */
    interface Outbox {
        /** Queues {@code line} (its remaining bytes, shared and never modified) for {@code to}. */
        void enqueue(Member to, ByteBuffer line);

        /** After a send or broadcast: the transport disconnects whoever it took past its output limit. */
        void afterSending();

        /** Closes {@code member}'s connection once what is queued for it is written. */
        void closeWhenFlushed(Member member);
    }

    private final ChatConfig config;
    private final ChatLog log;
    private final Outbox outbox;
    private final ArrayDeque<ChatRecord> history = new ArrayDeque<>();
    private final Map<String, Member> byNick = new HashMap<>();
    private final Map<Long, Member> members = new LinkedHashMap<>();
    /**
     * The members' view, taken once: the map makes it at its first use, a branch the warm-up's room had taken
     * long before compiling broadcast, so a new room's first broadcast sent that code back to the interpreter.
     */
    private final Collection<Member> everyone = members.values();
    private long nextId = 1;
    private long delivered;

    ChatRoom(ChatConfig config, ChatLog log, List<ChatRecord> recovered, Outbox outbox) {
        this.config = config;
        this.log = log;
        this.outbox = outbox;
        history.addAll(recovered);
    }

    /** A new client: it becomes a member without a nick, and is told how to start. */
    Member join(Connection connection) {
        Member m = new Member(nextId++, connection, config.burst());
        members.put(m.id, m);
        send(m, "*** welcome to ipc4j-chat: type a nick (or /nick NAME), then chat; /help lists the commands");
        return m;
    }

    /** A member left or was disconnected: it is forgotten, and if it had a nick the others hear {@code why}. */
    void leave(Member m, String why) {
        members.remove(m.id);
        if (m.nick != null) {
            byNick.remove(m.nick.toLowerCase(Locale.ROOT));
            if (why != null) {
                broadcast(null, "*** " + m.nick + " " + why);
            }
        }
    }

    /** Every member still here, for the transport's shutdown. */
    List<Member> members() {
        return new ArrayList<>(everyone);
    }

    /** The server is stopping: every member is told. */
    void shuttingDown(Member m) {
        send(m, "*** the server is shutting down");
    }

    /** The transport dropped a line longer than the limit. */
    void lineTooLong(Member m) {
        send(m, "!!! line too long (the most is " + config.maxLine() + " bytes): dropped");
    }

    /** One line from {@code m}, already cleaned of control characters and invalid UTF-8. */
    void onLine(Member m, String line) throws IOException {
        m.lastActiveMillis = System.currentTimeMillis();
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
        String command = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
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
                outbox.closeWhenFlushed(m);
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
        Member holder = byNick.get(wanted.toLowerCase(Locale.ROOT));
        if (holder != null) {
            send(m, holder == m ? "*** you are " + wanted + " already" : "!!! the nick " + wanted + " is taken");
            return;
        }
        String old = m.nick;
        if (old != null) {
            byNick.remove(old.toLowerCase(Locale.ROOT));
        }
        m.nick = wanted;
        byNick.put(wanted.toLowerCase(Locale.ROOT), m);
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
        Member target = byNick.get(to.toLowerCase(Locale.ROOT));
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
        List<Member> named = everyone.stream().filter(x -> x.nick != null).toList();
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
            n = -1;
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

    /** Sends {@code line} to every member with a nick except {@code from}: one buffer, shared by all. */
    private void broadcast(Member from, String line) {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        for (Member x : everyone) { // enqueue never changes the map: disconnections wait until after
            if (x != from && x.nick != null) {
                outbox.enqueue(x, bytes);
                delivered++;
            }
        }
        outbox.afterSending();
    }

    private void send(Member m, String line) {
        // read-only as a broadcast's: one buffer class in every member's queue keeps the writing code monomorphic
        outbox.enqueue(m, ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer());
        outbox.afterSending();
    }

    /** Messages delivered to members so far (one message to N others counts N). */
    long delivered() {
        return delivered;
    }
}
