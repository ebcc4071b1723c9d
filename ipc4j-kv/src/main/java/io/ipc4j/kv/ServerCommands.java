package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.ipc4j.kv.Commands.ADMIN;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.NO_AUTH;
import static io.ipc4j.kv.Commands.add;

/** Connection and server commands: PING, ECHO, INFO, CLIENT, COMMAND, HELLO, SELECT, QUIT, RESET, SHUTDOWN, CONFIG. */
final class ServerCommands {
    private ServerCommands() {
    }

    static void register() {
        add("ping", -1, FAST, 0, 0, 0, c -> {
            if (c.argc() > 2) {
                throw new KvError("ERR wrong number of arguments for 'ping' command");
            }
            if (c.client.subscribed() && !c.reply.resp3()) { // a subscribed RESP2 client gets a push-shaped pong
                c.reply.array(2);
                c.reply.bulk("pong");
                c.reply.bulk(c.argc() == 2 ? c.args[1] : new byte[0]);
            } else if (c.argc() == 2) {
                c.reply.bulk(c.args[1]);
            } else {
                c.reply.simple("PONG");
            }
        });
        add("echo", 2, FAST, 0, 0, 0, c -> c.reply.bulk(c.args[1]));
        add("info", -1, 0, 0, 0, 0, ServerCommands::info);
        add("client", -2, 0, 0, 0, 0, ServerCommands::client);
        add("command", -1, 0, 0, 0, 0, ServerCommands::command);
        add("hello", -1, FAST | NO_AUTH, 0, 0, 0, ServerCommands::hello);
        add("auth", -2, FAST | NO_AUTH, 0, 0, 0, c -> {
            if (c.argc() > 3) {
                throw KvError.SYNTAX;
            }
            authenticate(c, c.argc() == 3 ? c.args[1] : null, c.args[c.argc() - 1]);
            c.reply.ok();
        });
        add("select", 2, FAST, 0, 0, 0, c -> {
            c.client.db = database(c, c.args[1]);
            c.reply.ok();
        });
        add("quit", -1, FAST | NO_AUTH, 0, 0, 0, c -> {
            c.reply.ok();
            c.client.closeAfterReply = true;
        });
        add("reset", 1, FAST, 0, 0, 0, c -> {
            TransactionCommands.end(c);
            c.server.pubsub.forget(c.client);
            c.reply.resp3(false);
            c.client.db = 0;
            c.client.name = null;
            c.client.authenticated = c.server.config.password() == null; // as Redis: back to the default user
            c.reply.simple("RESET");
        });
        add("shutdown", -1, ADMIN, 0, 0, 0, c -> {
            boolean save = false;
            for (int i = 1; i < c.argc(); i++) {
                String option = c.word(i);
                if (option.equals("abort")) {
                    throw new KvError("ERR No shutdown in progress.");
                }
                if (!List.of("nosave", "save", "now", "force").contains(option)) {
                    throw KvError.SYNTAX;
                }
                save |= option.equals("save");
            }
            if (save) {
                try {
                    c.server.rdb.save(c.server.snapshotFile(), c.now);
                } catch (java.io.IOException e) {
                    System.err.println("[ipc4j-kv] SHUTDOWN SAVE: the snapshot could not be written, so the server"
                            + " goes on: " + e.getMessage());
                    throw new KvError("ERR Errors trying to SHUTDOWN. Check logs.");
                }
            }
            c.server.shutdown(); // no reply: the connection closes, as with Redis
            c.client.closeAfterReply = true;
        });
        add("time", 1, FAST, 0, 0, 0, c -> {
            long micros = Math.multiplyExact(c.now, 1000L);
            c.reply.array(2);
            c.reply.bulk(Long.toString(micros / 1_000_000));
            c.reply.bulk(Long.toString(micros % 1_000_000));
        });
        add("lastsave", 1, FAST, 0, 0, 0, c -> c.reply.integer(c.server.rdb.lastSaveMillis() / 1000));
    }

    private static int database(Call c, byte[] index) throws KvError {
        long n = Numbers.parseLong(index);
        if (n < 0 || n >= c.keyspace().databases.length) {
            throw KvError.DB_RANGE;
        }
        return (int) n;
    }

    private static void hello(Call c) throws KvError {
        if (c.argc() >= 2) {
            long version;
            try {
                version = Numbers.parseLong(c.args[1]);
            } catch (KvError e) {
                throw new KvError("ERR Protocol version is not an integer or out of range");
            }
            if (version != 2 && version != 3) {
                throw new KvError("NOPROTO unsupported protocol version");
            }
            for (int i = 2; i < c.argc(); i++) {
                String option = c.word(i);
                if (option.equals("setname") && i + 1 < c.argc()) {
                    c.client.name = clientName(c.text(++i));
                } else if (option.equals("auth") && i + 2 < c.argc()) {
                    authenticate(c, c.args[i + 1], c.args[i + 2]);
                    i += 2;
                } else {
                    throw new KvError("ERR Syntax error in HELLO option '" + c.text(i) + "'");
                }
            }
        }
        if (c.argc() >= 2) {
            c.reply.resp3(Numbers.parseLong(c.args[1]) == 3);
        }
        c.reply.map(7);
        c.reply.bulk("server");
        c.reply.bulk("redis");
        c.reply.bulk("version");
        c.reply.bulk(KvServer.VERSION);
        c.reply.bulk("proto");
        c.reply.integer(c.reply.resp3() ? 3 : 2);
        c.reply.bulk("id");
        c.reply.integer(c.client.id);
        c.reply.bulk("mode");
        c.reply.bulk("standalone");
        c.reply.bulk("role");
        c.reply.bulk("master");
        c.reply.bulk("modules");
        c.reply.array(0);
    }

    /**
     * AUTH [username] password: the only user is "default", whose password is {@link KvConfig#password()}.
     * Compared in constant time; a failure leaves the client as it was.
     */
    private static void authenticate(Call c, byte[] user, byte[] password) throws KvError {
        String secret = c.server.settings.password;
        if (secret == null) {
            if (user == null) {
                throw new KvError("ERR AUTH <password> called without any password configured for the default"
                        + " user. Are you sure your configuration is correct?");
            }
            if (java.util.Arrays.equals(user, DEFAULT_USER)) {
                return; // the default user without a password: anything is accepted, as Redis does
            }
            throw new KvError(WRONGPASS);
        }
        boolean userOk = user == null || java.util.Arrays.equals(user, DEFAULT_USER);
        boolean passwordOk = java.security.MessageDigest.isEqual(password, secret.getBytes(StandardCharsets.UTF_8));
        if (!userOk || !passwordOk) {
            throw new KvError(WRONGPASS);
        }
        c.client.authenticated = true;
    }

    private static final byte[] DEFAULT_USER = "default".getBytes(StandardCharsets.US_ASCII);
    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

    private static String clientName(String name) throws KvError {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new KvError("ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        return name.isEmpty() ? null : name;
    }

    private static void client(Call c) throws KvError {
        String sub = c.word(1);
        switch (sub) {
            case "setname" -> {
                requireArgs(c, 3, "client|setname");
                c.client.name = clientName(c.text(2));
                c.reply.ok();
            }
            case "getname" -> c.reply.bulk(c.client.name);
            case "id" -> c.reply.integer(c.client.id);
            case "info" -> c.reply.bulk(c.client.info(c.now) + "\n");
            case "list" -> {
                StringBuilder all = new StringBuilder();
                for (Client other : c.server.clients()) {
                    all.append(other.info(c.now)).append('\n');
                }
                c.reply.bulk(all.toString());
            }
            case "setinfo" -> {
                requireArgs(c, 4, "client|setinfo");
                c.reply.ok();
            }
            case "kill" -> kill(c);
            case "no-evict", "no-touch", "reply" -> c.reply.ok();
            case "help" -> {
                List<String> help = List.of("CLIENT <subcommand> [<arg> ...]. Subcommands are:", "GETNAME", "ID",
                        "INFO", "KILL <addr> | KILL [ID <id>] [ADDR <addr>] [SKIPME yes|no]", "LIST",
                        "SETNAME <name>", "SETINFO <option> <value>");
                c.reply.array(help.size());
                help.forEach(h -> c.reply.simple(h));
            }
            default -> throw new KvError("ERR unknown subcommand '" + c.text(1) + "'. Try CLIENT HELP.");
        }
    }

    /** CLIENT KILL addr, or CLIENT KILL [ID id] [ADDR addr] [SKIPME yes|no] (filters). */
    private static void kill(Call c) throws KvError {
        if (c.argc() == 3) {
            Client target = find(c, null, c.text(2));
            if (target == null) {
                throw new KvError("ERR No such client");
            }
            c.server.mailboxKill(c, target);
            c.reply.ok();
            return;
        }
        if (c.argc() < 4 || c.argc() % 2 != 0) {
            throw KvError.SYNTAX;
        }
        Long id = null;
        String addr = null;
        boolean skipMe = true;
        for (int i = 2; i < c.argc(); i += 2) {
            switch (c.word(i)) {
                case "id" -> {
                    try {
                        id = Long.parseLong(c.text(i + 1));
                    } catch (NumberFormatException e) {
                        throw new KvError("ERR client-id should be greater than 0");
                    }
                }
                case "addr", "laddr" -> addr = c.text(i + 1);
                case "skipme" -> {
                    String v = c.word(i + 1);
                    if (!v.equals("yes") && !v.equals("no")) {
                        throw KvError.SYNTAX;
                    }
                    skipMe = v.equals("yes");
                }
                case "type", "user", "maxage" -> {
                    // accepted; every client is a normal client of the default user
                }
                default -> throw KvError.SYNTAX;
            }
        }
        long killed = 0;
        for (Client other : c.server.clients()) {
            if ((id == null || other.id == id) && (addr == null || other.address.equals(addr))
                    && !(skipMe && other == c.client)) {
                c.server.mailboxKill(c, other);
                killed++;
            }
        }
        c.reply.integer(killed);
    }

    private static Client find(Call c, Long id, String addr) {
        for (Client other : c.server.clients()) {
            if ((id == null || other.id == id) && (addr == null || other.address.equals(addr))) {
                return other;
            }
        }
        return null;
    }

    private static void requireArgs(Call c, int n, String name) throws KvError {
        if (c.argc() != n) {
            throw new KvError("ERR wrong number of arguments for '" + name + "' command");
        }
    }

    private static void command(Call c) throws KvError {
        if (c.argc() == 1) {
            c.reply.array(Commands.all().size());
            Commands.all().forEach(cmd -> commandInfo(c, cmd));
            return;
        }
        switch (c.word(1)) {
            case "count" -> c.reply.integer(Commands.all().size());
            case "list" -> {
                c.reply.array(Commands.all().size());
                Commands.all().forEach(cmd -> c.reply.bulk(cmd.name()));
            }
            case "info" -> {
                c.reply.array(c.argc() - 2);
                for (int i = 2; i < c.argc(); i++) {
                    Commands.Command cmd = Commands.TABLE.get(c.word(i));
                    if (cmd == null) {
                        c.reply.nullArray();
                    } else {
                        commandInfo(c, cmd);
                    }
                }
            }
            case "docs" -> {
                List<Commands.Command> wanted = new ArrayList<>();
                if (c.argc() == 2) {
                    wanted.addAll(Commands.all());
                } else {
                    for (int i = 2; i < c.argc(); i++) {
                        Commands.Command cmd = Commands.TABLE.get(c.word(i));
                        if (cmd != null) {
                            wanted.add(cmd);
                        }
                    }
                }
                c.reply.array(wanted.size() * 2);
                for (Commands.Command cmd : wanted) {
                    c.reply.bulk(cmd.name());
                    c.reply.array(4);
                    c.reply.bulk("summary");
                    c.reply.bulk("ipc4j-kv: " + cmd.name().toUpperCase(Locale.ROOT) + " as in Redis 7");
                    c.reply.bulk("group");
                    c.reply.bulk(cmd.group());
                }
            }
            default -> throw new KvError("ERR unknown subcommand '" + c.text(1) + "'. Try COMMAND HELP.");
        }
    }

    private static void commandInfo(Call c, Commands.Command cmd) {
        c.reply.array(10);
        c.reply.bulk(cmd.name());
        c.reply.integer(cmd.arity());
        List<String> flags = cmd.flagNames();
        c.reply.array(flags.size());
        flags.forEach(f -> c.reply.simple(f));
        c.reply.integer(cmd.firstKey());
        c.reply.integer(cmd.lastKey());
        c.reply.integer(cmd.step());
        c.reply.array(0);
        c.reply.array(0);
        c.reply.array(0);
        c.reply.array(0);
    }

    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence",
            "stats", "replication", "cpu", "keyspace");

    /** INFO [section ...]: Redis's section and field names; "all" and "everything" add commandstats. */
    private static void info(Call c) {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < c.argc(); i++) {
            wanted.add(c.word(i));
        }
        boolean everything = wanted.contains("all") || wanted.contains("everything");
        boolean defaults = wanted.isEmpty() || wanted.contains("default") || everything;
        StringBuilder out = new StringBuilder();
        for (String section : List.of("server", "clients", "memory", "persistence", "stats", "replication", "cpu",
                "commandstats", "keyspace")) {
            boolean in = wanted.contains(section) || (defaults && DEFAULT_SECTIONS.contains(section))
                    || (everything && section.equals("commandstats"));
            if (in) {
                InfoSections.append(c, section, out);
            }
        }
        c.reply.bulk(out.toString());
    }

    /** Bytes as INFO's *_human fields show them: 1.50M. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"K", "M", "G", "T"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
