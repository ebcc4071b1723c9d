package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command table: each command's name, arity (Redis's convention: N exactly, -N at least N, counting the
 * name), flags and handler; and the dispatch with Redis 7's error replies.
 */
final class Commands {
    static final int WRITE = 1;
    static final int READONLY = 2;
    static final int DENYOOM = 4;
    static final int FAST = 8;
    static final int ADMIN = 16;
    /** Allowed before AUTH when a password is set (AUTH, HELLO, QUIT), as Redis's no-auth flag. */
    static final int NO_AUTH = 32;

    @FunctionalInterface
    interface Handler {
        void run(Call c) throws KvError;
    }

    /**
     * A command's table entry. {@code stats} holds INFO commandstats' counters: calls, nanoseconds (its
     * shares of the batches it ran in, see {@link Call#endBatch}), rejected calls, failed calls (under the
     * store lock); {@code group} is Redis's name for its family.
     */
    record Command(String name, int arity, int flags, int firstKey, int lastKey, int step, Handler handler,
                   long[] stats, String group) {
        java.util.List<String> flagNames() {
            java.util.List<String> names = new java.util.ArrayList<>();
            if ((flags & WRITE) != 0) {
                names.add("write");
            }
            if ((flags & READONLY) != 0) {
                names.add("readonly");
            }
            if ((flags & DENYOOM) != 0) {
                names.add("denyoom");
            }
            if ((flags & ADMIN) != 0) {
                names.add("admin");
            }
            if ((flags & FAST) != 0) {
                names.add("fast");
            }
            if ((flags & NO_AUTH) != 0) {
                names.add("no_auth");
            }
            return names;
        }
    }

    static final Map<String, Command> TABLE = new TreeMap<>();
    /** The group (COMMAND DOCS) of the commands being registered: each family's register() is one. */
    private static String group;
    /** Lookup by the name's bytes as sent, any case: saves a String per request. */
    private static final Map<NameKey, Command> BY_BYTES = new HashMap<>();

    static {
        family("string", StringCommands::register);
        family("generic", KeyCommands::register);
        family("list", ListCommands::register);
        family("hash", HashCommands::register);
        family("set", SetCommands::register);
        family("sorted-set", SortedSetCommands::register);
        family("pubsub", PubSubCommands::register);
        family("transactions", TransactionCommands::register);
        family("connection", ServerCommands::register);
        family("server", AdminCommands::register);
        for (Command c : TABLE.values()) {
            BY_BYTES.put(new NameKey(c.name().getBytes(StandardCharsets.US_ASCII)), c);
        }
    }

    private Commands() {
    }

    /** Registers one family's commands under its group name. */
    private static void family(String name, Runnable register) {
        group = name;
        register.run();
    }

    static void add(String name, int arity, int flags, int firstKey, int lastKey, int step, Handler handler) {
        TABLE.put(name, new Command(name, arity, flags, firstKey, lastKey, step, handler, new long[4], group));
    }

    static Collection<Command> all() {
        return TABLE.values();
    }

    /** Whether the command named by {@code name} is read-only (its short arguments may be pooled). */
    static boolean readOnly(NameKey name) {
        Command command = BY_BYTES.get(name);
        return command != null && (command.flags() & READONLY) != 0;
    }

    /**
     * Runs one request and queues its reply; inside MULTI, queues the request instead. After it (after the
     * whole of an EXEC), the server acts on the keys it changed: WATCH and blocked clients. Call with the
     * store lock held.
     */
    static void execute(Call c, byte[][] args) {
        c.beginBatch();
        executeInBatch(c, args);
        c.endBatch();
    }

    /**
     * As {@link #execute}, as one request of a batch that {@link Call#beginBatch} began: it runs at the batch's
     * clock reading, and its time is its share of the batch's. Call with the store lock held.
     */
    static void executeInBatch(Call c, byte[][] args) {
        Command command = BY_BYTES.get(c.probe.set(args[0]));
        c.request(args);
        c.client.lastMillis = c.now;
        String refused = refusal(c, command, args);
        if (refused != null) {
            if (c.client.multi != null && !c.inExec) {
                c.client.multiFailed = true;
            }
            if (command != null) {
                command.stats()[2]++;
            }
            c.reply.error(refused);
            return;
        }
        c.name = command.name();
        c.client.lastCommand = command.name();
        if (c.client.multi != null && !c.inExec && !TransactionCommands.NOT_QUEUED.contains(command.name())) {
            byte[][] kept = new byte[args.length][]; // the parser reuses the array, and short arguments' arrays
            for (int i = 0; i < args.length; i++) {
                kept[i] = ArgumentPool.keepable(args[i]);
            }
            c.client.multi.add(kept);
            for (byte[] a : args) {
                c.client.multiBytes += a.length + 24;
            }
            c.reply.simple("QUEUED");
            return;
        }
        c.server.logEvictions();
        long changesBefore = c.server.keyspace.changes;
        c.propagate = null;
        run(c, command);
        if (c.server.keyspace.changes != changesBefore && c.propagate != Call.NOT_LOGGED) {
            c.server.logged(c.client.db, c.propagate != null ? c.propagate : args);
        }
        if (!c.inExec) {
            c.server.afterCommand();
        }
    }

    /** Why the request is refused before it runs (Redis's texts), or null. */
    private static String refusal(Call c, Command command, byte[][] args) {
        if (command == null) {
            return unknown(args);
        }
        if (command.arity() > 0 ? args.length != command.arity() : args.length < -command.arity()) {
            return "ERR wrong number of arguments for '" + command.name() + "' command";
        }
        if (!c.client.authenticated && (command.flags() & NO_AUTH) == 0) {
            return "NOAUTH Authentication required.";
        }
        if (c.client.subscribed() && !c.reply.resp3()
                && !PubSubCommands.ALLOWED_WHILE_SUBSCRIBED.contains(command.name())) {
            return "ERR Can't execute '" + command.name() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING /"
                    + " QUIT / RESET are allowed in this context";
        }
        if ((command.flags() & DENYOOM) != 0 && !c.server.memory.fits()) {
            return KvError.OOM.getMessage();
        }
        return null;
    }

    private static void run(Call c, Command command) {
        c.server.commandsProcessed++;
        long[] stats = command.stats();
        c.ran(stats);
        try {
            command.handler().run(c);
        } catch (KvError e) {
            stats[3]++;
            c.reply.error(e.getMessage());
        } catch (OutOfMemoryError e) {
            stats[3]++;
            c.reply.error("OOM the server ran out of heap memory for this command");
        } catch (RuntimeException e) { // a bug must cost one command, never the server
            stats[3]++;
            System.err.println("[ipc4j-kv] internal error in " + command.name() + ": " + e);
            e.printStackTrace();
            c.reply.error("ERR internal error in '" + command.name() + "': " + e);
        }
        stats[0]++;
    }

    private static String unknown(byte[][] args) {
        StringBuilder s = new StringBuilder("ERR unknown command '").append(clip(args[0])).append("', with args beginning with: ");
        for (int i = 1; i < args.length && s.length() < 128; i++) {
            s.append('\'').append(clip(args[i])).append("' ");
        }
        return s.toString();
    }

    private static String clip(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

    /**
     * A command name's bytes, compared and hashed ignoring ASCII case. Each connection reuses one as its
     * lookup probe ({@link #set}), so finding a command allocates nothing.
     */
    static final class NameKey {
        private byte[] bytes;
        private int hash;

        NameKey(byte[] bytes) {
            set(bytes);
        }

        NameKey set(byte[] name) {
            this.bytes = name;
            int h = 1;
            for (byte b : name) {
                h = 31 * h + lower(b);
            }
            this.hash = h;
            return this;
        }

        private static int lower(byte b) {
            return b >= 'A' && b <= 'Z' ? b + 32 : b;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof NameKey k) || k.bytes.length != bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if (lower(bytes[i]) != lower(k.bytes[i])) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        }
    }
}
