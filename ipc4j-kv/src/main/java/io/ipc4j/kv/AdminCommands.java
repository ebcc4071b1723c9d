package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ipc4j.kv.Commands.ADMIN;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.add;

/**
 * What clients, test harnesses and admin tools call besides the data: CONFIG, OBJECT, MEMORY, and the
 * scripting commands, answered as a Redis without scripts would (empty lists, clear refusals).
 */
final class AdminCommands {
    private static final String NO_SCRIPTS = "ERR ipc4j-kv has no scripting engine: EVAL, EVALSHA and FCALL are"
            + " not supported. Send the commands themselves (MULTI/EXEC makes them atomic)";

    private AdminCommands() {
    }

    static void register() {
        add("config", -2, ADMIN, 0, 0, 0, AdminCommands::config);
        add("object", -2, READONLY, 2, 2, 1, AdminCommands::object);
        add("memory", -2, READONLY, 0, 0, 0, AdminCommands::memory);
        add("function", -2, 0, 0, 0, 0, AdminCommands::function);
        add("script", -2, 0, 0, 0, 0, AdminCommands::script);
        add("eval", -3, 0, 0, 0, 0, c -> {
            throw new KvError(NO_SCRIPTS);
        });
        add("eval_ro", -3, READONLY, 0, 0, 0, c -> {
            throw new KvError(NO_SCRIPTS);
        });
        add("evalsha", -3, 0, 0, 0, 0, c -> {
            throw new KvError("NOSCRIPT No matching script. Please use EVAL.");
        });
        add("evalsha_ro", -3, READONLY, 0, 0, 0, c -> {
            throw new KvError("NOSCRIPT No matching script. Please use EVAL.");
        });
        add("fcall", -3, 0, 0, 0, 0, c -> {
            throw new KvError("ERR Function not found");
        });
        add("fcall_ro", -3, READONLY, 0, 0, 0, c -> {
            throw new KvError("ERR Function not found");
        });
        add("bgrewriteaof", 1, ADMIN, 0, 0, 0, c -> {
            String refused = c.server.rewriteLog();
            if (refused != null) {
                throw new KvError(refused);
            }
            c.reply.simple("Background append only file rewriting started");
        });
        add("save", 1, ADMIN, 0, 0, 0, c -> {
            try {
                c.server.rdb.save(c.server.snapshotFile(), c.now);
            } catch (java.io.IOException e) {
                throw new KvError("ERR " + e.getMessage());
            }
            c.reply.ok();
        });
        add("bgsave", -1, ADMIN, 0, 0, 0, c -> {
            if (c.argc() > 2 || c.argc() == 2 && !c.word(1).equals("schedule")) {
                throw KvError.SYNTAX;
            }
            String refused = c.server.rdb.startBackground(c.server.snapshotFile());
            if (refused != null) {
                throw new KvError(refused);
            }
            c.reply.simple("Background saving started");
        });
        add("swapdb", 3, FAST, 0, 0, 0, c -> {
            throw new KvError("ERR SWAPDB is not supported by ipc4j-kv");
        });
    }

    private static void config(Call c) throws KvError {
        switch (c.word(1)) {
            case "get" -> {
                if (c.argc() < 3) {
                    throw new KvError("ERR wrong number of arguments for 'config|get' command");
                }
                Map<String, String> values = c.server.settings.all();
                List<String> found = new ArrayList<>();
                for (int i = 2; i < c.argc(); i++) {
                    String pattern = c.word(i);
                    for (String key : values.keySet()) {
                        if (c.server.settings.shownBy(key, pattern) && !found.contains(key)) {
                            found.add(key);
                        }
                    }
                }
                c.reply.map(found.size());
                for (String key : found) {
                    c.reply.bulk(key);
                    c.reply.bulk(values.get(key));
                }
            }
            case "set" -> {
                if (c.argc() < 4 || c.argc() % 2 != 0) {
                    throw new KvError("ERR wrong number of arguments for 'config|set' command");
                }
                List<String[]> pairs = new ArrayList<>();
                for (int i = 2; i < c.argc(); i += 2) {
                    pairs.add(new String[] {c.word(i), c.text(i + 1)});
                }
                String refused = c.server.settings.set(pairs);
                if (refused != null) {
                    throw new KvError(refused);
                }
                c.server.configChanged();
                c.reply.ok();
            }
            case "resetstat" -> {
                c.keyspace().keyspaceHits = 0;
                c.keyspace().keyspaceMisses = 0;
                c.keyspace().expiredKeys = 0;
                c.server.memory.evictedKeys = 0;
                c.server.commandsProcessed = 0;
                for (Commands.Command cmd : Commands.all()) {
                    java.util.Arrays.fill(cmd.stats(), 0);
                }
                c.reply.ok();
            }
            case "rewrite" -> throw new KvError("ERR The server is running without a config file");
            case "help" -> help(c, "CONFIG", "GET <pattern>", "SET <directive> <value>", "RESETSTAT");
            default -> throw unknownSubcommand(c, "CONFIG");
        }
    }

    private static void object(Call c) throws KvError {
        String sub = c.word(1);
        if (sub.equals("help")) {
            help(c, "OBJECT", "ENCODING <key>", "FREQ <key>", "IDLETIME <key>", "REFCOUNT <key>");
            return;
        }
        if (!List.of("encoding", "freq", "idletime", "refcount").contains(sub)) {
            throw unknownSubcommand(c, "OBJECT");
        }
        if (c.argc() != 3) {
            throw new KvError("ERR wrong number of arguments for 'object|" + sub + "' command");
        }
        Database.Entry e = c.db().lookupQuietly(c.key(2), c.now);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        switch (sub) {
            case "encoding" -> c.reply.bulk(encoding(e));
            case "idletime" -> c.reply.integer((c.now - e.touched) / 1000);
            case "refcount" -> c.reply.integer(sharedInteger(e.value) ? Integer.MAX_VALUE : 1);
            default -> throw new KvError("ERR An LFU maxmemory policy is not selected, access frequency not"
                    + " tracked. Please note that when switching between policies at runtime LRU and LFU data will"
                    + " take some time to adjust.");
        }
        e.touched = c.now;
    }

    /** OBJECT ENCODING as Redis 7.0 chooses: int, embstr (up to 44 bytes) or raw for strings. */
    static String encoding(Database.Entry e) {
        if (e.value instanceof Aggregate a) {
            return a.encoding();
        }
        byte[] b = (byte[]) e.value;
        if (e.form == Database.RAW) {
            return "raw";
        }
        if (e.form == Database.BY_CONTENT && b.length <= 20 && Numbers.isLong(b)) {
            return "int";
        }
        return b.length <= 44 ? "embstr" : "raw";
    }

    private static boolean sharedInteger(Object value) {
        if (!(value instanceof byte[] b)) {
            return false;
        }
        long n = Numbers.parseLongOrMin(b);
        return n >= 0 && n < 10_000;
    }

    private static void memory(Call c) throws KvError {
        switch (c.word(1)) {
            case "usage" -> {
                if (c.argc() != 3 && !(c.argc() == 5 && c.word(3).equals("samples"))) {
                    throw KvError.SYNTAX;
                }
                Database.Entry e = c.db().lookupQuietly(c.key(2), c.now);
                if (e == null) {
                    c.reply.nullBulk();
                } else {
                    c.reply.integer(Database.usage(e));
                }
            }
            case "stats" -> {
                Runtime rt = Runtime.getRuntime();
                c.reply.map(4);
                c.reply.bulk("peak.allocated");
                c.reply.integer(rt.totalMemory());
                c.reply.bulk("total.allocated");
                c.reply.integer(rt.totalMemory() - rt.freeMemory());
                c.reply.bulk("dataset.bytes");
                c.reply.integer(c.keyspace().usedMemory);
                c.reply.bulk("keys.count");
                c.reply.integer(c.keyspace().keys());
            }
            case "doctor" -> c.reply.bulk("ipc4j-kv: used_memory is an estimate of the heap the data takes; the JVM's"
                    + " heap is in INFO memory (used_memory_heap).");
            case "malloc-stats" -> c.reply.bulk("Stats not supported for the current allocator");
            case "purge" -> c.reply.ok();
            case "help" -> help(c, "MEMORY", "DOCTOR", "MALLOC-STATS", "PURGE", "STATS", "USAGE <key> [SAMPLES <count>]");
            default -> throw unknownSubcommand(c, "MEMORY");
        }
    }

    private static void function(Call c) throws KvError {
        switch (c.word(1)) {
            case "list" -> c.reply.array(0);
            case "flush" -> {
                flushMode(c, 2);
                c.reply.ok();
            }
            case "stats" -> {
                c.reply.map(2);
                c.reply.bulk("running_script");
                c.reply.nullBulk();
                c.reply.bulk("engines");
                c.reply.map(0);
            }
            case "delete" -> throw new KvError("ERR Library not found");
            case "kill" -> throw new KvError("NOTBUSY No scripts in execution right now.");
            case "load", "restore", "dump" -> throw new KvError(NO_SCRIPTS);
            case "help" -> help(c, "FUNCTION", "LIST", "FLUSH [ASYNC|SYNC]", "STATS");
            default -> throw unknownSubcommand(c, "FUNCTION");
        }
    }

    private static void script(Call c) throws KvError {
        switch (c.word(1)) {
            case "flush" -> {
                flushMode(c, 2);
                c.reply.ok();
            }
            case "exists" -> {
                if (c.argc() < 3) {
                    throw new KvError("ERR wrong number of arguments for 'script|exists' command");
                }
                c.reply.array(c.argc() - 2);
                for (int i = 2; i < c.argc(); i++) {
                    c.reply.integer(0);
                }
            }
            case "kill" -> throw new KvError("NOTBUSY No scripts in execution right now.");
            case "load" -> throw new KvError(NO_SCRIPTS);
            case "help" -> help(c, "SCRIPT", "EXISTS <sha1> [<sha1> ...]", "FLUSH [ASYNC|SYNC]");
            default -> throw unknownSubcommand(c, "SCRIPT");
        }
    }

    static void flushMode(Call c, int at) throws KvError {
        if (c.argc() > at + 1 || (c.argc() == at + 1 && !c.word(at).equals("async") && !c.word(at).equals("sync"))) {
            throw KvError.SYNTAX;
        }
    }

    static void help(Call c, String command, String... lines) {
        c.reply.array(lines.length + 1);
        c.reply.simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) {
            c.reply.simple(l);
        }
    }

    static KvError unknownSubcommand(Call c, String command) {
        return new KvError("ERR unknown subcommand '" + c.text(1) + "'. Try " + command + " HELP.");
    }
}
