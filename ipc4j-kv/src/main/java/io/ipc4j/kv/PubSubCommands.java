package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.add;

/** SUBSCRIBE, PSUBSCRIBE, their UN- forms, PUBLISH and PUBSUB, with Redis 7.0's replies. */
final class PubSubCommands {
    /** What a RESP2 client may run while subscribed. */
    static final List<String> ALLOWED_WHILE_SUBSCRIBED = List.of("subscribe", "ssubscribe", "unsubscribe",
            "sunsubscribe", "psubscribe", "punsubscribe", "ping", "quit", "reset");

    private PubSubCommands() {
    }

    static void register() {
        add("subscribe", -2, 0, 0, 0, 0, c -> subscribe(c, false));
        add("psubscribe", -2, 0, 0, 0, 0, c -> subscribe(c, true));
        add("unsubscribe", -1, 0, 0, 0, 0, c -> unsubscribe(c, false));
        add("punsubscribe", -1, 0, 0, 0, 0, c -> unsubscribe(c, true));
        add("publish", 3, FAST, 0, 0, 0, c -> c.reply.integer(c.server.pubsub.publish(c, c.args[1], c.args[2])));
        add("pubsub", -2, 0, 0, 0, 0, PubSubCommands::pubsub);
    }

    private static void subscribe(Call c, boolean pattern) {
        for (int i = 1; i < c.argc(); i++) {
            c.server.pubsub.subscribe(c.client, new Key(c.args[i]), pattern);
            confirm(c, pattern ? "psubscribe" : "subscribe", c.args[i]);
        }
    }

    private static void unsubscribe(Call c, boolean pattern) {
        Client client = c.client;
        List<Key> which;
        if (c.argc() > 1) {
            which = new java.util.ArrayList<>();
            for (int i = 1; i < c.argc(); i++) {
                which.add(new Key(c.args[i]));
            }
        } else {
            which = List.copyOf(pattern ? client.patterns : client.channels);
        }
        String kind = pattern ? "punsubscribe" : "unsubscribe";
        if (which.isEmpty()) {
            c.reply.push(3);
            c.reply.bulk(kind);
            c.reply.nullBulk();
            c.reply.integer(client.channels.size() + client.patterns.size());
            return;
        }
        for (Key k : which) {
            c.server.pubsub.unsubscribe(client, k, pattern);
            confirm(c, kind, k.bytes);
        }
    }

    private static void confirm(Call c, String kind, byte[] channel) {
        c.reply.push(3);
        c.reply.bulk(kind);
        c.reply.bulk(channel);
        c.reply.integer(c.client.channels.size() + c.client.patterns.size());
    }

    private static void pubsub(Call c) throws KvError {
        PubSub p = c.server.pubsub;
        switch (c.word(1)) {
            case "channels" -> {
                if (c.argc() > 3) {
                    throw new KvError("ERR wrong number of arguments for 'pubsub|channels' command");
                }
                List<byte[]> found = p.channels(c.argc() == 3 ? c.args[2] : null);
                c.reply.array(found.size());
                found.forEach(c.reply::bulk);
            }
            case "numsub" -> {
                c.reply.array(2 * (c.argc() - 2)); // a flat array in RESP3 too, as Redis 7.0 answers
                for (int i = 2; i < c.argc(); i++) {
                    c.reply.bulk(c.args[i]);
                    c.reply.integer(p.subscribers(c.args[i]));
                }
            }
            case "numpat" -> {
                if (c.argc() != 2) {
                    throw new KvError("ERR wrong number of arguments for 'pubsub|numpat' command");
                }
                c.reply.integer(p.patternCount());
            }
            case "shardchannels" -> c.reply.array(0);
            case "shardnumsub" -> {
                c.reply.array(2 * (c.argc() - 2));
                for (int i = 2; i < c.argc(); i++) {
                    c.reply.bulk(c.args[i]);
                    c.reply.integer(0);
                }
            }
            case "help" -> {
                List<String> help = List.of("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                        "CHANNELS [<pattern>]", "NUMPAT", "NUMSUB [<channel> ...]");
                c.reply.array(help.size());
                help.forEach(h -> c.reply.simple(h));
            }
            default -> throw new KvError("ERR unknown subcommand '" + new String(c.args[1], StandardCharsets.UTF_8)
                    + "'. Try PUBSUB HELP.");
        }
    }
}
