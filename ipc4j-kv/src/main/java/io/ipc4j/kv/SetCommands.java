package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The set family, with Redis 7.0's replies and errors. */
final class SetCommands {
    private enum Op { INTER, UNION, DIFF }

    private SetCommands() {
    }

    static void register() {
        add("sadd", -3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            SetValue s = c.create(1, SetValue.class, SetValue::new);
            long n = 0;
            for (int i = 2; i < c.argc(); i++) {
                if (s.add(new Key(c.args[i]))) {
                    n++;
                }
            }
            c.reply.integer(n);
        });
        add("srem", -3, WRITE | FAST, 1, 1, 1, c -> c.removeEach(SetValue.class, 2, SetValue::remove));
        add("smembers", 2, READONLY, 1, 1, 1, c -> {
            SetValue s = c.existing(1, SetValue.class);
            replySet(c, s == null ? List.of() : s.members());
        });
        add("sismember", 3, READONLY | FAST, 1, 1, 1, c -> {
            SetValue s = c.existing(1, SetValue.class);
            c.reply.integer(s != null && s.contains(new Key(c.args[2])) ? 1 : 0);
        });
        add("smismember", -3, READONLY | FAST, 1, 1, 1, c -> {
            SetValue s = c.existing(1, SetValue.class);
            c.reply.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) {
                c.reply.integer(s != null && s.contains(new Key(c.args[i])) ? 1 : 0);
            }
        });
        add("scard", 2, READONLY | FAST, 1, 1, 1, c -> {
            SetValue s = c.existing(1, SetValue.class);
            c.reply.integer(s == null ? 0 : s.size());
        });
        add("spop", -2, WRITE | FAST, 1, 1, 1, SetCommands::spop);
        add("srandmember", -2, READONLY, 1, 1, 1, SetCommands::srandmember);
        add("smove", 4, WRITE | FAST, 1, 2, 1, SetCommands::smove);
        add("sinter", -2, READONLY, 1, -1, 1, c -> replySet(c, combine(c, 1, c.argc(), Op.INTER)));
        add("sunion", -2, READONLY, 1, -1, 1, c -> replySet(c, combine(c, 1, c.argc(), Op.UNION)));
        add("sdiff", -2, READONLY, 1, -1, 1, c -> replySet(c, combine(c, 1, c.argc(), Op.DIFF)));
        add("sinterstore", -3, WRITE | DENYOOM, 1, -1, 1, c -> store(c, Op.INTER));
        add("sunionstore", -3, WRITE | DENYOOM, 1, -1, 1, c -> store(c, Op.UNION));
        add("sdiffstore", -3, WRITE | DENYOOM, 1, -1, 1, c -> store(c, Op.DIFF));
        add("sintercard", -3, READONLY, 0, 0, 0, SetCommands::sintercard);
        add("sscan", -3, READONLY, 1, 1, 1, c -> {
            Scan scan = Scan.parse(c, 2);
            SetValue s = c.existing(1, SetValue.class);
            List<byte[]> out = new ArrayList<>();
            if (s != null) {
                for (Key k : s.members()) {
                    if (scan.matches(k.bytes)) {
                        out.add(k.bytes);
                    }
                }
            }
            scan.reply(c, out);
        });
    }

    private static void replySet(Call c, Iterable<Key> members) {
        List<Key> all = new ArrayList<>();
        members.forEach(all::add);
        c.reply.set(all.size());
        for (Key k : all) {
            c.reply.bulk(k.bytes);
        }
    }

    /** Every key from {@code from} to {@code to} (exclusive) must be a set or missing, checked first. */
    private static Set<Key> combine(Call c, int from, int to, Op op) throws KvError {
        List<SetValue> sets = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sets.add(c.existing(i, SetValue.class));
        }
        Set<Key> result = new LinkedHashSet<>();
        if (sets.getFirst() != null) {
            sets.getFirst().members().forEach(result::add);
        }
        for (SetValue s : sets.subList(1, sets.size())) {
            switch (op) {
                case INTER -> {
                    if (s == null) {
                        result.clear();
                    } else {
                        result.removeIf(k -> !s.contains(k));
                    }
                }
                case UNION -> {
                    if (s != null) {
                        s.members().forEach(result::add);
                    }
                }
                case DIFF -> {
                    if (s != null) {
                        result.removeIf(s::contains);
                    }
                }
            }
        }
        return result;
    }

    private static void store(Call c, Op op) throws KvError {
        Set<Key> result = combine(c, 2, c.argc(), op);
        c.db().delete(c.key(1), c.now);
        if (!result.isEmpty()) {
            SetValue s = new SetValue();
            result.forEach(s::add);
            c.db().put(c.key(1), s, false, c.now);
        }
        c.reply.integer(result.size());
    }

    /** SINTERCARD numkeys key [key ...] [LIMIT limit]. */
    private static void sintercard(Call c) throws KvError {
        MultiKeys m = MultiKeys.parse(c, 1);
        long limit = 0;
        for (int i = m.end(); i < c.argc(); i++) {
            if (!c.word(i).equals("limit") || i + 1 >= c.argc()) {
                throw KvError.SYNTAX;
            }
            limit = Numbers.parseLongOr(c.args[++i], -1);
            if (limit < 0) {
                throw new KvError("ERR LIMIT can't be negative");
            }
        }
        long n = combine(c, m.first(), m.end(), Op.INTER).size();
        c.reply.integer(limit > 0 ? Math.min(n, limit) : n);
    }

    private static void spop(Call c) throws KvError {
        if (c.argc() > 3) {
            throw KvError.SYNTAX;
        }
        long count = -1;
        if (c.argc() == 3) {
            count = c.longArg(2);
            if (count < 0) {
                throw new KvError("ERR value is out of range, must be positive");
            }
        }
        SetValue s = c.existing(1, SetValue.class);
        if (s == null) {
            if (count < 0) {
                c.reply.nullBulk();
            } else {
                c.reply.set(0);
            }
            return;
        }
        List<Key> picked = new ArrayList<>();
        Sampling.pick(Arrays.asList(s.toArray()), count < 0 ? 1 : count, picked);
        picked.forEach(s::remove);
        c.dropIfEmpty(1, s);
        Object[] srem = new Object[picked.size() + 2];
        srem[0] = "SREM";
        srem[1] = c.args[1];
        for (int i = 0; i < picked.size(); i++) {
            srem[i + 2] = picked.get(i).bytes;
        }
        c.propagate(srem);
        if (count < 0) {
            c.reply.bulk(picked.getFirst().bytes);
            return;
        }
        c.reply.set(picked.size());
        picked.forEach(k -> c.reply.bulk(k.bytes));
    }

    private static void srandmember(Call c) throws KvError {
        if (c.argc() > 3) {
            throw KvError.SYNTAX;
        }
        long count = c.argc() == 3 ? c.longArg(2) : Long.MIN_VALUE;
        if (count != Long.MIN_VALUE && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            throw new KvError("ERR value is out of range");
        }
        Sampling.checkRepeats(c, count);
        SetValue s = c.existing(1, SetValue.class);
        if (count == Long.MIN_VALUE) {
            List<Key> one = new ArrayList<>();
            if (s != null) {
                Sampling.pick(Arrays.asList(s.toArray()), 1, one);
            }
            c.reply.bulk(one.isEmpty() ? null : one.getFirst().bytes);
            return;
        }
        List<Key> picked = new ArrayList<>();
        if (s != null) {
            Sampling.pick(Arrays.asList(s.toArray()), count, picked);
        }
        c.reply.array(picked.size());
        picked.forEach(k -> c.reply.bulk(k.bytes));
    }

    private static void smove(Call c) throws KvError {
        SetValue source = c.existing(1, SetValue.class);
        if (source == null) { // before the destination's type is looked at, as in Redis
            c.reply.integer(0);
            return;
        }
        SetValue target = c.existing(2, SetValue.class);
        Key member = new Key(c.args[3]);
        if (!source.contains(member)) {
            c.reply.integer(0);
            return;
        }
        if (source == target) {
            c.reply.integer(1);
            return;
        }
        source.remove(member);
        c.dropIfEmpty(1, source);
        c.create(2, SetValue.class, SetValue::new).add(member);
        c.reply.integer(1);
    }
}
