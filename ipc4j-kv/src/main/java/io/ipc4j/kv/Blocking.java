package io.ipc4j.kv;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * Clients blocked in BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP: who waits on which key, in
 * the order they began to wait, and which keys a change has made worth a look. After every command (after the
 * whole of an EXEC) the server serves the ready keys: the longest-waiting client first, by running its
 * command again on its behalf; a served client's reply goes to it through its mailbox and it resumes its
 * further requests. Used under the store lock only.
 */
final class Blocking {
    /** One blocked client's wait: its command, the keys it waits on, when it gives up (0: never). */
    static final class Wait {
        final Client client;
        final byte[][] args;
        final List<Key> keys;
        final int db;
        final long deadline;
        final Predicate<Object> servable;

        Wait(Client client, byte[][] args, List<Key> keys, int db, long deadline, Predicate<Object> servable) {
            this.client = client;
            this.args = args;
            this.keys = keys;
            this.db = db;
            this.deadline = deadline;
            this.servable = servable;
        }
    }

    private final KvServer server;
    private final HashMap<Keyspace.DbKey, ArrayDeque<Wait>> waiting = new HashMap<>();
    private final LinkedHashSet<Keyspace.DbKey> ready = new LinkedHashSet<>();
    private int blocked;

    Blocking(KvServer server) {
        this.server = server;
    }

    /** Clients blocked now (INFO's blocked_clients). */
    int blocked() {
        return blocked;
    }

    /**
     * A blocking command's timeout argument, in seconds with a fraction, as an absolute deadline in Unix
     * milliseconds (0: wait forever). The texts are Redis's.
     */
    static long deadline(byte[] argument, long now) throws KvError {
        BigDecimal seconds;
        try {
            seconds = Numbers.parseDecimal(argument);
        } catch (KvError e) {
            throw KvError.TIMEOUT;
        }
        if (seconds.signum() < 0) {
            throw new KvError("ERR timeout is negative");
        }
        BigDecimal millis = seconds.movePointRight(3).setScale(0, RoundingMode.CEILING);
        if (millis.compareTo(BigDecimal.valueOf(Long.MAX_VALUE - now)) > 0) {
            throw new KvError("ERR timeout is out of range");
        }
        long m = millis.longValueExact();
        return m == 0 ? 0 : now + m;
    }

    /** Blocks the calling client on {@code keys} until one is served, the deadline passes, or it leaves. */
    void block(Call c, List<Key> keys, long deadline, Predicate<Object> servable) {
        Wait w = new Wait(c.client, c.args.clone(), keys, c.client.db, deadline, servable); // see RespParser
        c.client.blocked = w;
        blocked++;
        server.keyspace.listeners++;
        for (Key k : keys) {
            waiting.computeIfAbsent(new Keyspace.DbKey(w.db, k), x -> new ArrayDeque<>()).add(w);
        }
        c.client.mailbox.blockedUntil(c.client, w);
    }

    /** Ends a wait without serving it (timeout, disconnect, CLIENT KILL). False if it had ended already. */
    boolean cancel(Wait w) {
        if (w.client.blocked != w) {
            return false;
        }
        w.client.blocked = null;
        blocked--;
        server.keyspace.listeners--;
        for (Key k : w.keys) {
            Keyspace.DbKey at = new Keyspace.DbKey(w.db, k);
            ArrayDeque<Wait> queue = waiting.get(at);
            if (queue != null) {
                queue.remove(w);
                if (queue.isEmpty()) {
                    waiting.remove(at);
                }
            }
        }
        return true;
    }

    /** Notes the changed keys that have clients waiting on them. */
    void changed(List<Keyspace.DbKey> keys) {
        if (waiting.isEmpty()) {
            return;
        }
        for (Keyspace.DbKey k : keys) {
            if (waiting.containsKey(k)) {
                ready.add(k);
            }
        }
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    /** Serves waiting clients on the ready keys, longest-waiting first, while the keys have something. */
    void serveReady() {
        while (!ready.isEmpty()) {
            Keyspace.DbKey k = ready.iterator().next();
            ready.remove(k);
            ArrayDeque<Wait> queue = waiting.get(k);
            while (queue != null && !queue.isEmpty()) {
                Wait w = queue.peekFirst();
                Database.Entry e = server.keyspace.databases[k.db()].lookup(k.key(), System.currentTimeMillis());
                if (e == null || !w.servable.test(e.value)) {
                    break;
                }
                cancel(w);
                serve(w, k.key());
                queue = waiting.get(k);
            }
            server.afterChanges(); // serving pops and pushes: other keys may be ready now
        }
    }

    private void serve(Wait w, Key ready) {
        Call served = new Call(server, w.client, new Reply(w.client.reply.resp3()));
        served.mayBlock = false;
        served.servedKey = ready;
        Commands.execute(served, w.args);
        w.client.mailbox.deliver(w.client, served.reply.drain(), true);
    }
}
