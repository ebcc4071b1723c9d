package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** One command being run: its arguments, the client, the reply, the clock. Reused per connection. */
final class Call {
    final KvServer server;
    final Client client;
    final Reply reply;
    final Commands.NameKey probe = new Commands.NameKey(new byte[0]);
    byte[][] args;
    String name;
    long now;

    Call(KvServer server, Client client, Reply reply) {
        this.server = server;
        this.client = client;
        this.reply = reply;
    }

    Keyspace keyspace() {
        return server.keyspace;
    }

    Database db() {
        return server.keyspace.databases[client.db];
    }

    Key key(int i) {
        return new Key(args[i]);
    }

    int argc() {
        return args.length;
    }

    /** Argument {@code i} as lower-case text, for option names. */
    String word(int i) {
        return new String(args[i], StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    String text(int i) {
        return new String(args[i], StandardCharsets.UTF_8);
    }

    long longArg(int i) throws KvError {
        return Numbers.parseLong(args[i]);
    }

    /** The live entry for key {@code i}, counting a keyspace hit or miss. */
    Database.Entry read(int i) {
        Database.Entry e = db().lookup(key(i), now);
        if (e == null) {
            server.keyspace.keyspaceMisses++;
        } else {
            server.keyspace.keyspaceHits++;
        }
        return e;
    }
}
