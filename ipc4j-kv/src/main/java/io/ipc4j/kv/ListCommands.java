package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.List;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The list family, with Redis 7.0's replies and errors, and the blocking pops (see {@link Blocking}). */
final class ListCommands {
    private static final String POSITIVE = "ERR value is out of range, must be positive";

    private ListCommands() {
    }

    static void register() {
        add("lpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> push(c, true, false));
        add("rpush", -3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> push(c, false, false));
        add("lpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> push(c, true, true));
        add("rpushx", -3, WRITE | DENYOOM | FAST, 1, 1, 1, c -> push(c, false, true));
        add("lpop", -2, WRITE | FAST, 1, 1, 1, c -> pop(c, true));
        add("rpop", -2, WRITE | FAST, 1, 1, 1, c -> pop(c, false));
        add("llen", 2, READONLY | FAST, 1, 1, 1, c -> {
            ListValue l = c.existing(1, ListValue.class);
            c.reply.integer(l == null ? 0 : l.size());
        });
        add("lrange", 4, READONLY, 1, 1, 1, ListCommands::lrange);
        add("lindex", 3, READONLY, 1, 1, 1, c -> {
            ListValue l = c.existing(1, ListValue.class); // a missing key is nil, whatever the index
            if (l == null) {
                c.reply.nullBulk();
                return;
            }
            int at = Ranges.index(c.longArg(2), l.size());
            c.reply.bulk(at < 0 ? null : l.get(at));
        });
        add("lset", 4, WRITE | DENYOOM, 1, 1, 1, ListCommands::lset);
        add("lrem", 4, WRITE, 1, 1, 1, ListCommands::lrem);
        add("ltrim", 4, WRITE, 1, 1, 1, c -> {
            long start = c.longArg(2);
            long stop = c.longArg(3);
            ListValue l = c.existing(1, ListValue.class);
            if (l != null) {
                int[] r = Ranges.clamp(start, stop, l.size());
                l.keep(r[0], r[1]);
                c.dropIfEmpty(1, l);
            }
            c.reply.ok();
        });
        add("linsert", 5, WRITE | DENYOOM, 1, 1, 1, ListCommands::linsert);
        add("lpos", -3, READONLY, 1, 1, 1, ListCommands::lpos);
        add("lmove", 5, WRITE | DENYOOM, 1, 2, 1, c -> move(c, end(c, 3), end(c, 4), false, 0));
        add("rpoplpush", 3, WRITE | DENYOOM, 1, 2, 1, c -> move(c, false, true, false, 0));
        add("blmove", 6, WRITE | DENYOOM, 1, 2, 1,
                c -> move(c, end(c, 3), end(c, 4), true, Blocking.deadline(c.args[5], c.now)));
        add("brpoplpush", 4, WRITE | DENYOOM, 1, 2, 1,
                c -> move(c, false, true, true, Blocking.deadline(c.args[3], c.now)));
        add("lmpop", -4, WRITE, 0, 0, 0, c -> mpop(c, false));
        add("blmpop", -5, WRITE, 0, 0, 0, c -> mpop(c, true));
        add("blpop", -3, WRITE, 1, -2, 1, c -> bpop(c, true));
        add("brpop", -3, WRITE, 1, -2, 1, c -> bpop(c, false));
    }

    static boolean nonEmptyList(Object value) {
        return value instanceof ListValue l && !l.isEmpty();
    }

    private static void push(Call c, boolean left, boolean onlyIfExists) throws KvError {
        ListValue l = onlyIfExists ? c.existing(1, ListValue.class) : c.create(1, ListValue.class, ListValue::new);
        if (l == null) {
            c.reply.integer(0);
            return;
        }
        for (int i = 2; i < c.argc(); i++) {
            if (left) {
                l.addFirst(c.args[i]);
            } else {
                l.addLast(c.args[i]);
            }
        }
        c.reply.integer(l.size());
    }

    private static void pop(Call c, boolean left) throws KvError {
        if (c.argc() > 3) {
            throw new KvError("ERR wrong number of arguments for '" + c.name + "' command");
        }
        long count = -1;
        if (c.argc() == 3) {
            count = Numbers.parseLongOr(c.args[2], -1);
            if (count < 0) {
                throw new KvError(POSITIVE);
            }
        }
        ListValue l = c.existing(1, ListValue.class);
        if (l == null) {
            if (count < 0) {
                c.reply.nullBulk();
            } else {
                c.reply.nullArray();
            }
            return;
        }
        if (count < 0) {
            l.popTo(c.reply, left);
        } else {
            int n = (int) Math.min(count, l.size());
            c.reply.array(n);
            for (int i = 0; i < n; i++) {
                l.popTo(c.reply, left);
            }
        }
        c.dropIfEmpty(1, l);
    }

    private static void lrange(Call c) throws KvError {
        long start = c.longArg(2);
        long stop = c.longArg(3);
        ListValue l = c.existing(1, ListValue.class);
        if (l == null) {
            c.reply.array(0);
            return;
        }
        int[] r = Ranges.clamp(start, stop, l.size());
        c.reply.array(Math.max(0, r[1] - r[0] + 1));
        l.writeRange(c.reply, r[0], r[1]);
    }

    private static void lset(Call c) throws KvError {
        ListValue l = c.existing(1, ListValue.class);
        if (l == null) {
            throw KvError.NO_SUCH_KEY;
        }
        int at = Ranges.index(c.longArg(2), l.size());
        if (at < 0) {
            throw new KvError("ERR index out of range");
        }
        l.set(at, c.args[3]);
        c.reply.ok();
    }

    private static void lrem(Call c) throws KvError {
        long count = c.longArg(2);
        byte[] element = c.args[3];
        ListValue l = c.existing(1, ListValue.class);
        if (l == null) {
            c.reply.integer(0);
            return;
        }
        // 0 removes all; so does Long.MIN_VALUE, which Redis negates into itself (from the tail)
        long limit = count == 0 || count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count);
        long removed = l.removeAll(element, limit, count < 0);
        c.dropIfEmpty(1, l);
        c.reply.integer(removed);
    }

    private static void linsert(Call c) throws KvError {
        String where = c.word(2);
        if (!where.equals("before") && !where.equals("after")) {
            throw KvError.SYNTAX;
        }
        ListValue l = c.existing(1, ListValue.class);
        if (l == null) {
            c.reply.integer(0);
            return;
        }
        int at = l.indexOf(c.args[3], 0);
        if (at < 0) {
            c.reply.integer(-1);
            return;
        }
        l.insert(where.equals("before") ? at : at + 1, c.args[4]);
        c.reply.integer(l.size());
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    private static void lpos(Call c) throws KvError {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.word(i);
            if (i + 1 >= c.argc()) {
                throw KvError.SYNTAX;
            }
            byte[] value = c.args[++i];
            switch (option) {
                case "rank" -> {
                    long v = Numbers.parseLong(value);
                    if (v == 0) {
                        throw new KvError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the"
                                + " second ... or use negative to start from the end of the list");
                    }
                    rank = v == Long.MIN_VALUE ? -1 : v; // Redis 7.0 negates it into itself: the first from the tail
                }
                case "count" -> {
                    count = Numbers.parseLongOr(value, -1);
                    if (count < 0) {
                        throw new KvError("ERR COUNT can't be negative");
                    }
                }
                case "maxlen" -> {
                    maxlen = Numbers.parseLongOr(value, -1);
                    if (maxlen < 0) {
                        throw new KvError("ERR MAXLEN can't be negative");
                    }
                }
                default -> throw KvError.SYNTAX;
            }
        }
        ListValue l = c.existing(1, ListValue.class);
        List<Long> found = new ArrayList<>();
        if (l != null) {
            long wanted = count == 0 ? Long.MAX_VALUE : Math.max(count, 1);
            long skip = Math.abs(rank) - 1;
            int n = l.size();
            long scanned = 0;
            for (int step = 0; step < n && found.size() < wanted && (maxlen == 0 || scanned < maxlen); step++) {
                int i = rank > 0 ? step : n - 1 - step;
                scanned++;
                if (l.holds(i, c.args[2])) {
                    if (skip > 0) {
                        skip--;
                    } else {
                        found.add((long) i);
                    }
                }
            }
        }
        if (count < 0) {
            if (found.isEmpty()) {
                c.reply.nullBulk();
            } else {
                c.reply.integer(found.getFirst());
            }
            return;
        }
        c.reply.array(found.size());
        found.forEach(c.reply::integer);
    }

    private static boolean end(Call c, int i) throws KvError {
        return switch (c.word(i)) {
            case "left" -> true;
            case "right" -> false;
            default -> throw KvError.SYNTAX;
        };
    }

    /** LMOVE and its blocking and older forms: pops from one list and pushes onto another (maybe itself). */
    private static void move(Call c, boolean fromLeft, boolean toLeft, boolean blocking, long deadline)
            throws KvError {
        ListValue source = c.existing(1, ListValue.class);
        if (source == null) {
            if (blocking && c.mayBlock) {
                c.block(List.of(c.key(1)), deadline, ListCommands::nonEmptyList);
            } else {
                c.reply.nullBulk();
            }
            return;
        }
        ListValue target = c.existing(2, ListValue.class); // WRONGTYPE before anything moves
        byte[] element = fromLeft ? source.removeFirst() : source.removeLast();
        c.dropIfEmpty(1, source);
        if (target == null || target.isEmpty()) {
            target = c.create(2, ListValue.class, ListValue::new);
        }
        if (toLeft) {
            target.addFirst(element);
        } else {
            target.addLast(element);
        }
        c.reply.bulk(element);
        if (blocking) {
            c.propagate("LMOVE", c.args[1], c.args[2], fromLeft ? "LEFT" : "RIGHT", toLeft ? "LEFT" : "RIGHT");
        }
    }

    /** BLPOP key [key ...] timeout. */
    private static void bpop(Call c, boolean left) throws KvError {
        long deadline = Blocking.deadline(c.args[c.argc() - 1], c.now);
        for (int i = 1; i < c.argc() - 1; i++) {
            ListValue l = c.mayPopFrom(i) ? c.existing(i, ListValue.class) : null;
            if (l != null) {
                c.reply.array(2);
                c.reply.bulk(c.args[i]);
                l.popTo(c.reply, left);
                c.dropIfEmpty(i, l);
                c.propagate(left ? "LPOP" : "RPOP", c.args[i]);
                return;
            }
        }
        c.blockOnKeysBeforeTimeout(deadline, ListCommands::nonEmptyList);
    }

    /** [B]LMPOP [timeout] numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    private static void mpop(Call c, boolean blocking) throws KvError {
        MultiPop p = MultiPop.parse(c, blocking, "left", "right");
        boolean left = p.first();
        for (int k = p.keys().first(); k < p.keys().end(); k++) {
            ListValue l = c.mayPopFrom(k) ? c.existing(k, ListValue.class) : null;
            if (l != null) {
                int n = (int) Math.min(p.count(), l.size());
                c.reply.array(2);
                c.reply.bulk(c.args[k]);
                c.reply.array(n);
                for (int j = 0; j < n; j++) {
                    l.popTo(c.reply, left);
                }
                c.dropIfEmpty(k, l);
                c.propagate("LMPOP", "1", c.args[k], left ? "LEFT" : "RIGHT", "COUNT", n);
                return;
            }
        }
        if (blocking && c.mayBlock) {
            c.block(p.keys().keys(c), p.deadline(), ListCommands::nonEmptyList);
        } else {
            c.reply.nullArray();
        }
    }
}
