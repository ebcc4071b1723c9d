package io.ipc4j.kv;

import java.math.BigDecimal;
import java.util.Arrays;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The string family: SET and its options, GET and friends, ranges, counters, multi-key forms. */
final class StringCommands {
    private static final byte[] EMPTY = new byte[0];

    private StringCommands() {
    }

    static void register() {
        add("set", -3, WRITE | DENYOOM, 1, 1, 1, StringCommands::set);
        add("setnx", 3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> c.reply.integer(setIfAbsent(c, 1, 2) ? 1 : 0));
        add("setex", 4, WRITE | DENYOOM, 1, 1, 1, c -> setWithTtl(c, 1000));
        add("psetex", 4, WRITE | DENYOOM, 1, 1, 1, c -> setWithTtl(c, 1));
        add("get", 2, READONLY | FAST, 1, 1, 1, c -> c.reply.bulk(c.string(1)));
        add("getset", 3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            byte[] old = c.string(1);
            c.db().put(c.key(1), c.args[2], false, c.now);
            c.reply.bulk(old);
        });
        add("getdel", 2, WRITE | FAST, 1, 1, 1, c -> {
            byte[] old = c.string(1);
            if (old != null) {
                c.db().delete(c.key(1), c.now);
            }
            c.reply.bulk(old);
        });
        add("getex", -2, WRITE | FAST, 1, 1, 1, StringCommands::getex);
        add("getrange", 4, READONLY, 1, 1, 1, StringCommands::getrange);
        add("substr", 4, READONLY, 1, 1, 1, StringCommands::getrange);
        add("setrange", 4, WRITE | DENYOOM, 1, 1, 1, StringCommands::setrange);
        add("append", 3, WRITE | DENYOOM | FAST, 1, 1, 1, StringCommands::append);
        add("strlen", 2, READONLY | FAST, 1, 1, 1, c -> {
            byte[] v = c.string(1);
            c.reply.integer(v == null ? 0 : v.length);
        });
        add("incr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, c -> incrBy(c, 1));
        add("decr", 2, WRITE | DENYOOM | FAST, 1, 1, 1, c -> incrBy(c, -1));
        add("incrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> incrBy(c, c.longArg(2)));
        add("decrby", 3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            long by = c.longArg(2);
            if (by == Long.MIN_VALUE) {
                throw new KvError("ERR decrement would overflow");
            }
            incrBy(c, -by);
        });
        add("incrbyfloat", 3, WRITE | DENYOOM | FAST, 1, 1, 1, StringCommands::incrByFloat);
        add("mget", -2, READONLY | FAST, 1, -1, 1, c -> {
            c.reply.array(c.argc() - 1);
            for (int i = 1; i < c.argc(); i++) {
                Database.Entry e = c.read(i);
                c.reply.bulk(e == null ? null : e.string()); // another type reads as nil, as in Redis
            }
        });
        add("mset", -3, WRITE | DENYOOM, 1, -1, 2, c -> {
            requirePairs(c);
            for (int i = 1; i < c.argc(); i += 2) {
                c.db().put(c.key(i), c.args[i + 1], false, c.now);
            }
            c.reply.ok();
        });
        add("msetnx", -3, WRITE | DENYOOM, 1, -1, 2, c -> {
            requirePairs(c);
            for (int i = 1; i < c.argc(); i += 2) {
                if (c.db().lookup(c.key(i), c.now) != null) {
                    c.reply.integer(0);
                    return;
                }
            }
            for (int i = 1; i < c.argc(); i += 2) {
                c.db().put(c.key(i), c.args[i + 1], false, c.now);
            }
            c.reply.integer(1);
        });
    }

    private static void requirePairs(Call c) throws KvError {
        if (c.argc() % 2 == 0) {
            throw new KvError("ERR wrong number of arguments for '" + c.name + "' command");
        }
    }

    /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]. */
    private static void set(Call c) throws KvError {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        Expiry expiry = null;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.word(i);
            switch (option) {
                case "nx" -> nx = true;
                case "xx" -> xx = true;
                case "get" -> get = true;
                case "keepttl" -> keepTtl = true;
                case "ex", "px", "exat", "pxat" -> {
                    if (expiry != null || i + 1 >= c.argc()) {
                        throw KvError.SYNTAX;
                    }
                    expiry = Expiry.of(option, c.args[++i], c.now, "set");
                }
                default -> throw KvError.SYNTAX;
            }
        }
        if ((nx && xx) || (keepTtl && expiry != null)) {
            throw KvError.SYNTAX;
        }
        Database.Entry old = c.read(1);
        if (get) {
            if (old != null && old.string() == null) {
                throw KvError.WRONGTYPE;
            }
            c.reply.bulk(old == null ? null : old.string());
        }
        if ((nx && old != null) || (xx && old == null)) {
            if (!get) {
                c.reply.nullBulk();
            }
            return;
        }
        Database.Entry e = c.db().put(c.key(1), c.args[2], keepTtl, c.now);
        if (expiry != null) {
            c.db().setExpiry(e, expiry.at());
            c.propagate("SET", c.args[1], c.args[2], "PXAT", expiry.at());
        }
        if (!get) {
            c.reply.ok();
        }
    }

    private static boolean setIfAbsent(Call c, int key, int value) {
        if (c.db().lookup(c.key(key), c.now) != null) {
            return false;
        }
        c.db().put(c.key(key), c.args[value], false, c.now);
        return true;
    }

    private static void setWithTtl(Call c, long unitMillis) throws KvError {
        long ttl = c.longArg(2);
        if (ttl <= 0 || ttl > Long.MAX_VALUE / unitMillis - c.now) {
            throw KvError.invalidExpire(c.name);
        }
        Database.Entry e = c.db().put(c.key(1), c.args[3], false, c.now);
        c.db().setExpiry(e, c.now + ttl * unitMillis);
        c.propagate("SET", c.args[1], c.args[3], "PXAT", c.now + ttl * unitMillis);
        c.reply.ok();
    }

    /** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]. */
    private static void getex(Call c) throws KvError {
        Expiry expiry = null;
        boolean persist = false;
        for (int i = 2; i < c.argc(); i++) {
            String option = c.word(i);
            if (option.equals("persist") && expiry == null && !persist) {
                persist = true;
            } else if ((option.equals("ex") || option.equals("px") || option.equals("exat") || option.equals("pxat"))
                    && expiry == null && !persist && i + 1 < c.argc()) {
                expiry = Expiry.of(option, c.args[++i], c.now, "getex");
            } else {
                throw KvError.SYNTAX;
            }
        }
        Database.Entry e = c.read(1);
        if (e == null) {
            c.reply.nullBulk();
            return;
        }
        if (e.string() == null) {
            throw KvError.WRONGTYPE;
        }
        c.reply.bulk(e.string());
        if (persist) {
            c.db().setExpiry(e, 0);
            c.propagate("PERSIST", c.args[1]);
        } else if (expiry != null) {
            c.db().setExpiry(e, expiry.at());
            c.propagate("PEXPIREAT", c.args[1], expiry.at());
        }
    }

    private static void getrange(Call c) throws KvError {
        long start = c.longArg(2);
        long end = c.longArg(3);
        byte[] found = c.string(1);
        byte[] v = found == null ? EMPTY : found;
        long n = v.length;
        if (start < 0 && end < 0 && start > end) {
            c.reply.bulk(EMPTY);
            return;
        }
        if (start < 0) {
            start = Math.max(0, n + start);
        }
        if (end < 0) {
            end = Math.max(0, n + end);
        }
        end = Math.min(end, n - 1);
        if (start > end || n == 0) {
            c.reply.bulk(EMPTY);
            return;
        }
        c.reply.bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    private static void setrange(Call c) throws KvError {
        long offset = c.longArg(2);
        if (offset < 0) {
            throw new KvError("ERR offset is out of range");
        }
        byte[] value = c.args[3];
        byte[] old = c.string(1);
        if (value.length == 0) { // nothing to write: no size check, as in Redis
            c.reply.integer(old == null ? 0 : old.length);
            return;
        }
        if (offset > c.server.settings.maxBulk - value.length) { // not offset + length: that can overflow
            throw new KvError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        old = old == null ? EMPTY : old;
        byte[] updated = Arrays.copyOf(old, (int) Math.max(old.length, offset + value.length));
        System.arraycopy(value, 0, updated, (int) offset, value.length);
        c.db().put(c.key(1), updated, true, c.now).form = Database.RAW;
        c.reply.integer(updated.length);
    }

    private static void append(Call c) throws KvError {
        byte[] old = c.string(1);
        byte[] add = c.args[2];
        if (old == null) {
            c.db().put(c.key(1), add, false, c.now);
            c.reply.integer(add.length);
            return;
        }
        if ((long) old.length + add.length > c.server.settings.maxBulk) {
            throw new KvError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        byte[] joined = Arrays.copyOf(old, old.length + add.length);
        System.arraycopy(add, 0, joined, old.length, add.length);
        c.db().put(c.key(1), joined, true, c.now).form = Database.RAW;
        c.reply.integer(joined.length);
    }

    private static void incrBy(Call c, long by) throws KvError {
        byte[] old = c.string(1);
        long current = 0;
        if (old != null) {
            current = Numbers.parseLongOrMin(old);
            if (current == Long.MIN_VALUE && !Arrays.equals(old, Numbers.ascii(Long.MIN_VALUE))) {
                throw KvError.NOT_INTEGER;
            }
        }
        long result;
        try {
            result = Math.addExact(current, by);
        } catch (ArithmeticException overflow) {
            throw KvError.OVERFLOW;
        }
        c.db().put(c.key(1), Numbers.ascii(result), true, c.now);
        c.reply.integer(result);
    }

    private static void incrByFloat(Call c) throws KvError {
        byte[] old = c.string(1); // Redis's order: the type, the stored value, then the increment
        BigDecimal current = old == null ? BigDecimal.ZERO : Numbers.parseLongDouble(old);
        BigDecimal by = Numbers.parseLongDouble(c.args[2]);
        byte[] result = Numbers.formatLongDouble(current.add(by));
        c.db().put(c.key(1), result, true, c.now).form = Database.NOT_INT;
        c.propagate("SET", c.args[1], result, "KEEPTTL");
        c.reply.bulk(result);
    }

    /** An expiry option's absolute time. */
    record Expiry(long at) {
        static Expiry of(String unit, byte[] argument, long now, String command) throws KvError {
            long v = Numbers.parseLong(argument);
            boolean seconds = unit.equals("ex") || unit.equals("exat");
            boolean relative = unit.equals("ex") || unit.equals("px");
            if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
                throw KvError.invalidExpire(command);
            }
            long millis = seconds ? v * 1000 : v;
            if (relative && millis > Long.MAX_VALUE - now) {
                throw KvError.invalidExpire(command);
            }
            return new Expiry(relative ? now + millis : millis);
        }
    }
}
