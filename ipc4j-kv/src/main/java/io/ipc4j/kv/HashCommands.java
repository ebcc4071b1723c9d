package io.ipc4j.kv;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The hash family, with Redis 7.0's replies and errors. */
final class HashCommands {
    private HashCommands() {
    }

    static void register() {
        add("hset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, c -> c.reply.integer(set(c)));
        add("hmset", -4, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            set(c);
            c.reply.ok();
        });
        add("hsetnx", 4, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            HashValue h = c.create(1, HashValue.class, HashValue::new);
            Key field = new Key(c.args[2]);
            if (h.get(field) != null) {
                c.reply.integer(0);
                return;
            }
            h.put(field, c.args[3]);
            c.reply.integer(1);
        });
        add("hget", 3, READONLY | FAST, 1, 1, 1, c -> {
            HashValue h = c.existing(1, HashValue.class);
            c.reply.bulk(h == null ? null : h.get(new Key(c.args[2])));
        });
        add("hmget", -3, READONLY | FAST, 1, 1, 1, c -> {
            HashValue h = c.existing(1, HashValue.class);
            c.reply.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) {
                c.reply.bulk(h == null ? null : h.get(new Key(c.args[i])));
            }
        });
        add("hdel", -3, WRITE | FAST, 1, 1, 1, c -> c.removeEach(HashValue.class, 2, HashValue::remove));
        add("hexists", 3, READONLY | FAST, 1, 1, 1, c -> {
            HashValue h = c.existing(1, HashValue.class);
            c.reply.integer(h != null && h.get(new Key(c.args[2])) != null ? 1 : 0);
        });
        add("hlen", 2, READONLY | FAST, 1, 1, 1, c -> {
            HashValue h = c.existing(1, HashValue.class);
            c.reply.integer(h == null ? 0 : h.size());
        });
        add("hstrlen", 3, READONLY | FAST, 1, 1, 1, c -> {
            HashValue h = c.existing(1, HashValue.class);
            byte[] v = h == null ? null : h.get(new Key(c.args[2]));
            c.reply.integer(v == null ? 0 : v.length);
        });
        add("hkeys", 2, READONLY, 1, 1, 1, c -> all(c, true, false));
        add("hvals", 2, READONLY, 1, 1, 1, c -> all(c, false, true));
        add("hgetall", 2, READONLY, 1, 1, 1, c -> all(c, true, true));
        add("hincrby", 4, WRITE | DENYOOM | FAST, 1, 1, 1, HashCommands::incrBy);
        add("hincrbyfloat", 4, WRITE | DENYOOM | FAST, 1, 1, 1, HashCommands::incrByFloat);
        add("hrandfield", -2, READONLY, 1, 1, 1, HashCommands::randomFields);
        add("hscan", -3, READONLY, 1, 1, 1, c -> {
            Scan scan = Scan.parse(c, 2);
            HashValue h = c.existing(1, HashValue.class);
            List<byte[]> out = new ArrayList<>();
            if (h != null) {
                for (Map.Entry<Key, byte[]> e : h.entries()) {
                    if (scan.matches(e.getKey().bytes)) {
                        out.add(e.getKey().bytes);
                        out.add(e.getValue());
                    }
                }
            }
            scan.reply(c, out);
        });
    }

    private static long set(Call c) throws KvError {
        if (c.argc() % 2 != 0) {
            throw new KvError("ERR wrong number of arguments for '" + c.name + "' command");
        }
        HashValue h = c.create(1, HashValue.class, HashValue::new);
        long added = 0;
        for (int i = 2; i < c.argc(); i += 2) {
            if (h.put(new Key(c.args[i]), c.args[i + 1])) {
                added++;
            }
        }
        return added;
    }

    private static void all(Call c, boolean fields, boolean values) throws KvError {
        HashValue h = c.existing(1, HashValue.class);
        int n = h == null ? 0 : h.size();
        if (fields && values) {
            c.reply.map(n);
        } else {
            c.reply.array(n);
        }
        if (h == null) {
            return;
        }
        for (Map.Entry<Key, byte[]> e : h.entries()) {
            if (fields) {
                c.reply.bulk(e.getKey().bytes);
            }
            if (values) {
                c.reply.bulk(e.getValue());
            }
        }
    }

    private static void incrBy(Call c) throws KvError {
        long by = c.longArg(3);
        HashValue h = c.create(1, HashValue.class, HashValue::new);
        Key field = new Key(c.args[2]);
        byte[] old = h.get(field);
        long current = 0;
        if (old != null) {
            current = Numbers.parseLongOrMin(old);
            if (current == Long.MIN_VALUE && !java.util.Arrays.equals(old, Numbers.ascii(Long.MIN_VALUE))) {
                throw new KvError("ERR hash value is not an integer");
            }
        }
        long result;
        try {
            result = Math.addExact(current, by);
        } catch (ArithmeticException e) {
            throw KvError.OVERFLOW;
        }
        h.put(field, Numbers.ascii(result));
        c.reply.integer(result);
    }

    private static void incrByFloat(Call c) throws KvError {
        BigDecimal by;
        try {
            by = Numbers.parseLongDouble(c.args[3]);
        } catch (KvError e) {
            throw e == KvError.INFINITE ? new KvError("ERR value is NaN or Infinity") : e;
        }
        HashValue h = c.create(1, HashValue.class, HashValue::new);
        Key field = new Key(c.args[2]);
        byte[] old = h.get(field);
        BigDecimal current = BigDecimal.ZERO;
        if (old != null) {
            try {
                current = Numbers.parseLongDouble(old);
            } catch (KvError e) {
                throw new KvError("ERR hash value is not a float");
            }
        }
        byte[] result = Numbers.formatLongDouble(current.add(by));
        h.put(field, result);
        c.propagate("HSET", c.args[1], c.args[2], result);
        c.reply.bulk(result);
    }

    /** HRANDFIELD key [count [WITHVALUES]]: a negative count may repeat fields. */
    private static void randomFields(Call c) throws KvError {
        if (c.argc() > 4 || (c.argc() == 4 && !c.word(3).equals("withvalues"))) {
            throw KvError.SYNTAX;
        }
        long count = c.argc() >= 3 ? c.longArg(2) : Long.MIN_VALUE;
        boolean withValues = c.argc() == 4;
        if (count != Long.MIN_VALUE && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            throw new KvError("ERR value is out of range");
        }
        Sampling.checkRepeats(c, count);
        HashValue h = c.existing(1, HashValue.class);
        if (count == Long.MIN_VALUE) {
            if (h == null) {
                c.reply.nullBulk();
                return;
            }
            List<Map.Entry<Key, byte[]>> entries = new ArrayList<>();
            h.entries().forEach(entries::add);
            c.reply.bulk(entries.get(ThreadLocalRandom.current().nextInt(entries.size())).getKey().bytes);
            return;
        }
        List<Map.Entry<Key, byte[]>> picked = new ArrayList<>();
        if (h != null) {
            List<Map.Entry<Key, byte[]>> entries = new ArrayList<>();
            h.entries().forEach(entries::add);
            Sampling.pick(entries, count, picked);
        }
        c.reply.array(withValues && !c.reply.resp3() ? picked.size() * 2 : picked.size());
        for (Map.Entry<Key, byte[]> e : picked) {
            if (withValues && c.reply.resp3()) {
                c.reply.array(2);
            }
            c.reply.bulk(e.getKey().bytes);
            if (withValues) {
                c.reply.bulk(e.getValue());
            }
        }
    }
}
