package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;

import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.add;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH. Queuing happens in {@link Commands#execute}: a command that would be
 * refused (unknown, wrong arity) is answered at once and makes EXEC abort with EXECABORT.
 */
final class TransactionCommands {
    /** Commands run at once even inside MULTI. */
    static final List<String> NOT_QUEUED = List.of("exec", "discard", "multi", "watch", "unwatch", "reset", "quit");

    private TransactionCommands() {
    }

    static void register() {
        add("multi", 1, FAST, 0, 0, 0, c -> {
            if (c.client.multi != null) {
                throw new KvError("ERR MULTI calls can not be nested");
            }
            c.client.multi = new ArrayList<>();
            c.client.multiFailed = false;
            c.reply.ok();
        });
        add("discard", 1, FAST, 0, 0, 0, c -> {
            if (c.client.multi == null) {
                throw new KvError("ERR DISCARD without MULTI");
            }
            end(c);
            c.reply.ok();
        });
        add("exec", 1, 0, 0, 0, 0, TransactionCommands::exec);
        add("watch", -2, FAST, 1, -1, 1, c -> {
            if (c.client.multi != null) {
                throw new KvError("ERR WATCH inside MULTI is not allowed");
            }
            for (int i = 1; i < c.argc(); i++) {
                boolean exists = c.db().lookup(c.key(i), c.now) != null;
                c.server.watches.watch(c.client, new Keyspace.DbKey(c.client.db, c.key(i)), exists);
            }
            c.reply.ok();
        });
        add("unwatch", 1, FAST, 0, 0, 0, c -> {
            c.server.watches.unwatchAll(c.client);
            c.reply.ok();
        });
    }

    /** Ends the transaction: forgets the queue and the watched keys. */
    static void end(Call c) {
        c.client.multi = null;
        c.client.multiFailed = false;
        c.client.multiBytes = 0;
        c.server.watches.unwatchAll(c.client);
    }

    private static void exec(Call c) throws KvError {
        Client client = c.client;
        if (client.multi == null) {
            throw new KvError("ERR EXEC without MULTI");
        }
        List<byte[][]> queued = client.multi;
        boolean failed = client.multiFailed;
        boolean broken = c.server.watches.broken(client, c.now);
        end(c);
        if (failed) {
            throw new KvError("EXECABORT Transaction discarded because of previous errors.");
        }
        if (broken) {
            c.reply.nullArray();
            return;
        }
        c.reply.array(queued.size());
        c.inExec = true;
        c.mayBlock = false;
        c.server.transactionLogged(true);
        try {
            for (byte[][] args : queued) {
                Commands.executeInBatch(c, args); // at EXEC's clock reading, as Redis fixes the time for a call
            }
        } finally {
            c.server.transactionLogged(false);
            c.inExec = false;
            c.mayBlock = true;
            c.args = null;
            c.propagate = Call.NOT_LOGGED; // its commands were logged one by one, between MULTI and EXEC
        }
    }
}
