package io.ipc4j.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The generic keyspace family: existence, deletion, renaming, copying, listing, scanning, expiry. */
final class KeyCommands {
    private KeyCommands() {
    }

    static void register() {
        add("del", -2, WRITE, 1, -1, 1, KeyCommands::delete);
        add("unlink", -2, WRITE | FAST, 1, -1, 1, KeyCommands::delete);
        add("exists", -2, READONLY | FAST, 1, -1, 1, c -> c.reply.integer(count(c)));
        add("touch", -2, READONLY | FAST, 1, -1, 1, c -> c.reply.integer(count(c)));
        add("type", 2, READONLY | FAST, 1, 1, 1, c -> c.reply.simple(typeOf(c.db().lookup(c.key(1), c.now))));
        add("rename", 3, WRITE, 1, 2, 1, c -> {
            rename(c, false);
            c.reply.ok();
        });
        add("renamenx", 3, WRITE | FAST, 1, 2, 1, c -> c.reply.integer(rename(c, true) ? 1 : 0));
        add("copy", -3, WRITE | DENYOOM, 1, 2, 1, KeyCommands::copy);
        add("randomkey", 1, READONLY, 0, 0, 0, c -> {
            Database.Entry e = c.db().random(c.now);
            c.reply.bulk(e == null ? null : e.key.bytes);
        });
        add("keys", 2, READONLY, 0, 0, 0, c -> {
            List<byte[]> found = new ArrayList<>();
            for (Database.Entry e : c.db().all(c.now)) {
                if (Glob.matches(c.args[1], e.key.bytes)) {
                    found.add(e.key.bytes);
                }
            }
            c.reply.array(found.size());
            found.forEach(c.reply::bulk);
        });
        add("scan", -2, READONLY, 0, 0, 0, KeyCommands::scan);
        add("dbsize", 1, READONLY | FAST, 0, 0, 0, c -> c.reply.integer(c.db().size()));
        add("flushdb", -1, WRITE, 0, 0, 0, c -> {
            flushMode(c);
            c.db().clear();
            c.reply.ok();
        });
        add("flushall", -1, WRITE, 0, 0, 0, c -> {
            flushMode(c);
            for (Database db : c.keyspace().databases) {
                db.clear();
            }
            c.reply.ok();
        });
        add("expire", -3, WRITE | FAST, 1, 1, 1, c -> expire(c, 1000, false));
        add("pexpire", -3, WRITE | FAST, 1, 1, 1, c -> expire(c, 1, false));
        add("expireat", -3, WRITE | FAST, 1, 1, 1, c -> expire(c, 1000, true));
        add("pexpireat", -3, WRITE | FAST, 1, 1, 1, c -> expire(c, 1, true));
        add("expiretime", 2, READONLY | FAST, 1, 1, 1, c -> ttl(c, 1000, true));
        add("pexpiretime", 2, READONLY | FAST, 1, 1, 1, c -> ttl(c, 1, true));
        add("ttl", 2, READONLY | FAST, 1, 1, 1, c -> ttl(c, 1000, false));
        add("pttl", 2, READONLY | FAST, 1, 1, 1, c -> ttl(c, 1, false));
        add("persist", 2, WRITE | FAST, 1, 1, 1, c -> {
            Database.Entry e = c.db().lookup(c.key(1), c.now);
            if (e == null || e.expireAt == 0) {
                c.reply.integer(0);
                return;
            }
            c.db().setExpiry(e, 0);
            c.reply.integer(1);
        });
    }

    /** TYPE's answer for an entry (null: none). */
    static String typeOf(Database.Entry e) {
        if (e == null) {
            return "none";
        }
        return e.value instanceof Aggregate a ? a.type() : "string";
    }

    private static void delete(Call c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().delete(c.key(i), c.now)) {
                n++;
            }
        }
        c.reply.integer(n);
    }

    private static long count(Call c) {
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.db().lookup(c.key(i), c.now) != null) {
                n++;
            }
        }
        return n;
    }

    private static boolean rename(Call c, boolean onlyIfAbsent) throws KvError {
        Database db = c.db();
        Database.Entry source = db.lookup(c.key(1), c.now);
        if (source == null) {
            throw KvError.NO_SUCH_KEY;
        }
        if (source.key.equals(c.key(2))) {
            return !onlyIfAbsent;
        }
        if (onlyIfAbsent && db.lookup(c.key(2), c.now) != null) {
            return false;
        }
        long expireAt = source.expireAt;
        db.remove(source);
        db.delete(c.key(2), c.now);
        Database.Entry target = db.put(c.key(2), source.value, false, c.now);
        target.form = source.form;
        db.setExpiry(target, expireAt);
        return true;
    }

    /** COPY source destination [DB destination-db] [REPLACE]. */
    private static void copy(Call c) throws KvError {
        Database target = c.db();
        boolean replace = false;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.word(i);
            if (option.equals("replace")) {
                replace = true;
            } else if (option.equals("db") && i + 1 < c.argc()) {
                long index = c.longArg(++i);
                if (index < 0 || index >= c.keyspace().databases.length) {
                    throw KvError.DB_RANGE;
                }
                target = c.keyspace().databases[(int) index];
            } else {
                throw KvError.SYNTAX;
            }
        }
        if (target == c.db() && c.key(1).equals(c.key(2))) {
            throw new KvError("ERR source and destination objects are the same");
        }
        Database.Entry source = c.db().lookup(c.key(1), c.now);
        if (source == null) {
            c.reply.integer(0);
            return;
        }
        if (target.lookup(c.key(2), c.now) != null) {
            if (!replace) {
                c.reply.integer(0);
                return;
            }
            target.delete(c.key(2), c.now);
        }
        Object value = source.value instanceof Aggregate a ? a.copy() : source.value;
        Database.Entry copy = target.put(c.key(2), value, false, c.now);
        copy.form = source.form;
        target.setExpiry(copy, source.expireAt);
        c.reply.integer(1);
    }

    /** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: the cursor is an insertion sequence number. */
    private static void scan(Call c) throws KvError {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(c.text(1));
        } catch (NumberFormatException e) {
            throw new KvError("ERR invalid cursor");
        }
        byte[] pattern = null;
        String type = null;
        long count = 10;
        for (int i = 2; i < c.argc(); i++) {
            String option = c.word(i);
            if (i + 1 >= c.argc()) {
                throw KvError.SYNTAX;
            }
            switch (option) {
                case "match" -> pattern = c.args[++i];
                case "count" -> {
                    count = c.longArg(++i);
                    if (count < 1) {
                        throw KvError.SYNTAX;
                    }
                }
                case "type" -> type = c.word(++i);
                default -> throw KvError.SYNTAX;
            }
        }
        List<Database.Entry> batch = c.db().scan(cursor < 0 ? Long.MAX_VALUE : cursor,
                (int) Math.min(count, 100_000), c.now);
        long next = batch.isEmpty() || !c.db().hasAfter(batch.getLast().seq) ? 0 : batch.getLast().seq;
        List<byte[]> keys = new ArrayList<>();
        for (Database.Entry e : batch) {
            if ((pattern == null || Glob.matches(pattern, e.key.bytes)) && (type == null || type.equals(typeOf(e)))) {
                keys.add(e.key.bytes);
            }
        }
        c.reply.array(2);
        c.reply.bulk(Long.toUnsignedString(next).getBytes(StandardCharsets.US_ASCII));
        c.reply.array(keys.size());
        keys.forEach(c.reply::bulk);
    }

    private static void flushMode(Call c) throws KvError {
        if (c.argc() > 2 || (c.argc() == 2 && !c.word(1).equals("async") && !c.word(1).equals("sync"))) {
            throw KvError.SYNTAX;
        }
    }

    /** EXPIRE key time [NX|XX|GT|LT], in seconds or milliseconds, relative or absolute. */
    private static void expire(Call c, long unitMillis, boolean absolute) throws KvError {
        long when = c.longArg(2);
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = 3; i < c.argc(); i++) {
            switch (c.word(i)) {
                case "nx" -> nx = true;
                case "xx" -> xx = true;
                case "gt" -> gt = true;
                case "lt" -> lt = true;
                default -> throw new KvError("ERR Unsupported option " + c.text(i));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new KvError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new KvError("ERR GT and LT options at the same time are not compatible");
        }
        if (when > Long.MAX_VALUE / unitMillis || when < Long.MIN_VALUE / unitMillis) {
            throw KvError.invalidExpire(c.name);
        }
        long millis = when * unitMillis;
        if (!absolute) {
            if (millis > 0 && millis > Long.MAX_VALUE - c.now) {
                throw KvError.invalidExpire(c.name);
            }
            millis += c.now;
        }
        Database.Entry e = c.db().lookup(c.key(1), c.now);
        if (e == null) {
            c.reply.integer(0);
            return;
        }
        boolean hasTtl = e.expireAt != 0;
        if ((nx && hasTtl) || (xx && !hasTtl) || (gt && (!hasTtl || millis <= e.expireAt))
                || (lt && hasTtl && millis >= e.expireAt)) {
            c.reply.integer(0);
            return;
        }
        if (millis <= c.now) {
            c.db().remove(e);
            c.propagate("DEL", c.args[1]);
        } else {
            c.db().setExpiry(e, millis);
            c.propagate("PEXPIREAT", c.args[1], millis);
        }
        c.reply.integer(1);
    }

    private static void ttl(Call c, long unitMillis, boolean absolute) {
        Database.Entry e = c.db().lookup(c.key(1), c.now);
        if (e == null) {
            c.reply.integer(-2);
        } else if (e.expireAt == 0) {
            c.reply.integer(-1);
        } else if (absolute) {
            c.reply.integer(e.expireAt / unitMillis);
        } else {
            long left = Math.max(0, e.expireAt - c.now);
            c.reply.integer(unitMillis == 1 ? left : (left + 500) / 1000);
        }
    }
}
