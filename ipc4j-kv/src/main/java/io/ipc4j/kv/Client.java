package io.ipc4j.kv;

import io.ipc4j.event.Registration;
import io.ipc4j.socket.StreamSocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connection: its socket, its unparsed input, its queued replies, and what CLIENT LIST shows. Owned by
 * one event loop thread; the counters CLIENT LIST reads are written under the store lock.
 */
final class Client {
    private static final int INITIAL_INPUT = 16 * 1024;
    private static final ByteBuffer NO_INPUT = ByteBuffer.allocate(0);

    final long id;
    final StreamSocket socket;
    final String address;
    final long createdMillis = System.currentTimeMillis();
    final Reply reply = new Reply();
    final RespParser parser;
    final Call call;
    Registration registration;
    ByteBuffer input = ByteBuffer.allocate(INITIAL_INPUT);
    volatile String name;
    volatile int db;
    volatile long lastMillis = createdMillis;
    volatile String lastCommand = "NULL";
    /** Reply then close: set by QUIT and protocol errors. */
    boolean closeAfterReply;
    /** Reading is paused until the queued replies drain below the pause threshold. */
    boolean paused;
    /** Replies wait in {@link #reply} for the end of the loop's batch (see KvServer's process). */
    boolean flushPending;
    boolean closed;
    /** False until AUTH succeeds, when a password is set. */
    boolean authenticated;
    /** What {@link #queryBytes()} was when last added to the server's total. */
    long accountedQueryBytes;
    /** The loop that owns this client, for deliveries from the store. */
    Mailbox mailbox;
    /** Frames delivered from other loops' threads, waiting for this client's loop. */
    final java.util.concurrent.ConcurrentLinkedQueue<byte[]> mail = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Whether this client is in its loop's queue of clients with mail. */
    final java.util.concurrent.atomic.AtomicBoolean mailQueued = new java.util.concurrent.atomic.AtomicBoolean();
    /** A blocked client was served or timed out: its loop resumes its requests. */
    volatile boolean resume;
    /** CLIENT KILL asked for this client to be closed. */
    volatile boolean killed;
    /** The wait this client is blocked in, or null (under the store lock). */
    volatile Blocking.Wait blocked;
    /** Commands queued since MULTI, or null outside a transaction (the client's loop only). */
    java.util.List<byte[][]> multi;
    /** A command queued in this transaction was refused: EXEC must abort. */
    boolean multiFailed;
    /**
     * Bytes the queued commands hold: they count toward the query limits, so that a MULTI that never ends
     * cannot grow the server's memory without bound.
     */
    long multiBytes;
    /** A watched key changed since WATCH (under the store lock). */
    boolean watchDirty;
    /** Keys this client watches, with whether each existed when watched (under the store lock). */
    final java.util.Map<Keyspace.DbKey, Boolean> watched = new java.util.HashMap<>();
    /** Channels and patterns this client is subscribed to (under the store lock). */
    final java.util.Set<Key> channels = new java.util.LinkedHashSet<>();
    final java.util.Set<Key> patterns = new java.util.LinkedHashSet<>();

    /** Whether the store keeps anything for this client (a wait, subscriptions, watched keys). */
    boolean holdsStoreState() {
        return blocked != null || subscribed() || !watched.isEmpty();
    }

    /** Subscribed to any channel or pattern. */
    boolean subscribed() {
        return !channels.isEmpty() || !patterns.isEmpty();
    }

    Client(long id, StreamSocket socket, String address, KvServer server, KvConfig config) {
        this.id = id;
        this.socket = socket;
        this.address = address;
        this.parser = new RespParser(config.maxBulk(), config.maxMultibulk());
        this.call = new Call(server, this, reply);
        this.authenticated = config.password() == null || socket == null; // null: the log's replay
    }

    /**
     * Reads what the socket has into the input buffer. The buffer grows only when full, and never beyond
     * {@link RespParser#MAX_BUFFER}: large arguments leave it as they arrive (see {@link PartialArgument}).
     *
     * @return false at end of stream.
     */
    boolean fill() throws IOException {
        if (!input.hasRemaining()) {
            grow(Math.min(input.capacity() * 2, RespParser.MAX_BUFFER));
        }
        return socket.readNow(input) >= 0;
    }

    /** Whether the input buffer is full at its largest size: nothing more can be read until requests run. */
    boolean inputFull() {
        return !input.hasRemaining() && input.capacity() >= RespParser.MAX_BUFFER;
    }

    /**
     * Bytes held for requests not yet run: unparsed input, the parts of the unfinished request, and the
     * commands queued in a transaction. The input
     * buffer's fixed first 16 KiB are not counted ({@link KvConfig#maxClients()} bounds those).
     */
    long queryBytes() {
        return input.position() + parser.heldBytes() + multiBytes;
    }

    /**
     * Forgets the unfinished request (the connection is closing), releasing its memory at once: a closed
     * client can stay reachable for a while (its registration until the next select), and must not keep a
     * large partial argument alive meanwhile. Allocates nothing.
     */
    void discardInput() {
        parser.discard();
        input = NO_INPUT;
    }

    private void grow(int capacity) {
        if (capacity <= input.capacity()) {
            throw new IllegalStateException("input buffer full at " + capacity + " bytes: the parser must have"
                    + " refused or consumed it");
        }
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        bigger.put(input.flip());
        input = bigger;
    }

    /** After parsing: keeps the unparsed bytes, and gives back memory a large argument needed. */
    void compact() {
        if (input.capacity() > INITIAL_INPUT * 4 && input.remaining() < INITIAL_INPUT) {
            ByteBuffer smaller = ByteBuffer.allocate(INITIAL_INPUT);
            smaller.put(input);
            input = smaller;
        } else {
            input.compact();
        }
    }

    String info(long now) {
        return "id=" + id + " addr=" + address + " laddr=" + address + " fd=-1 name=" + (name == null ? "" : name)
                + " age=" + (now - createdMillis) / 1000 + " idle=" + (now - lastMillis) / 1000
                + " flags=" + flags() + " db=" + db + " sub=" + channels.size() + " psub=" + patterns.size()
                + " ssub=0 multi=" + (multi == null ? -1 : multi.size()) + " qbuf=" + input.position()
                + " qbuf-free=" + input.remaining() + " argv-mem=" + parser.heldBytes() + " multi-mem=" + multiBytes + " rbs=" + input.capacity()
                + " rbp=" + input.capacity() + " obl=0 oll=0 omem=" + reply.pending()
                + " tot-mem=" + (input.capacity() + reply.pending()) + " events=r cmd=" + lastCommand
                + " user=default redir=-1 resp=" + (reply.resp3() ? 3 : 2);
    }

    private String flags() {
        StringBuilder f = new StringBuilder();
        if (subscribed()) {
            f.append('P');
        }
        if (multi != null) {
            f.append('x');
        }
        if (blocked != null) {
            f.append('b');
        }
        if (!watched.isEmpty() && multi == null) {
            f.append('w');
        }
        return f.isEmpty() ? "N" : f.toString();
    }
}
