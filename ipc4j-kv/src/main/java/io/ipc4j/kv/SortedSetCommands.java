package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ipc4j.kv.Commands.DENYOOM;
import static io.ipc4j.kv.Commands.FAST;
import static io.ipc4j.kv.Commands.READONLY;
import static io.ipc4j.kv.Commands.WRITE;
import static io.ipc4j.kv.Commands.add;

/** The sorted set family, with Redis 7.0's replies and errors. */
final class SortedSetCommands {
    private static final String POSITIVE = "ERR value is out of range, must be positive";

    private SortedSetCommands() {
    }

    static void register() {
        add("zadd", -4, WRITE | DENYOOM | FAST, 1, 1, 1, SortedSetCommands::zadd);
        add("zincrby", 4, WRITE | DENYOOM | FAST, 1, 1, 1, c -> {
            double by = Numbers.parseDouble(c.args[2]);
            SortedSetValue z = c.create(1, SortedSetValue.class, SortedSetValue::new);
            Key member = new Key(c.args[3]);
            Double old = z.score(member);
            double score = (old == null ? 0 : old) + by;
            if (Double.isNaN(score)) {
                c.dropIfEmpty(1, z);
                throw new KvError("ERR resulting score is not a number (NaN)");
            }
            z.put(member, score);
            c.reply.score(score);
        });
        add("zrem", -3, WRITE | FAST, 1, 1, 1, c -> c.removeEach(SortedSetValue.class, 2, SortedSetValue::remove));
        add("zscore", 3, READONLY | FAST, 1, 1, 1, c -> {
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            Double s = z == null ? null : z.score(new Key(c.args[2]));
            if (s == null) {
                c.reply.nullBulk();
            } else {
                c.reply.score(s);
            }
        });
        add("zmscore", -3, READONLY | FAST, 1, 1, 1, c -> {
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            c.reply.array(c.argc() - 2);
            for (int i = 2; i < c.argc(); i++) {
                Double s = z == null ? null : z.score(new Key(c.args[i]));
                if (s == null) {
                    c.reply.nullBulk();
                } else {
                    c.reply.score(s);
                }
            }
        });
        add("zcard", 2, READONLY | FAST, 1, 1, 1, c -> {
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            c.reply.integer(z == null ? 0 : z.size());
        });
        add("zcount", 4, READONLY | FAST, 1, 1, 1, c -> {
            ZRange r = ZRange.score(c.args[2], c.args[3]);
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            c.reply.integer(z == null ? 0 : r.select(z).size());
        });
        add("zlexcount", 4, READONLY | FAST, 1, 1, 1, c -> {
            ZRange r = ZRange.lex(c.args[2], c.args[3]);
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            c.reply.integer(z == null ? 0 : r.select(z).size());
        });
        add("zrank", 3, READONLY | FAST, 1, 1, 1, c -> rank(c, false));
        add("zrevrank", 3, READONLY | FAST, 1, 1, 1, c -> rank(c, true));
        add("zrange", -4, READONLY, 1, 1, 1, c -> range(c, 1, null, false, 4));
        add("zrangestore", -5, WRITE | DENYOOM, 1, 2, 1, c -> range(c, 2, null, false, 5));
        add("zrevrange", -4, READONLY, 1, 1, 1, c -> range(c, 1, ZRange.Kind.RANK, true, 4));
        add("zrangebyscore", -4, READONLY, 1, 1, 1, c -> range(c, 1, ZRange.Kind.SCORE, false, 4));
        add("zrevrangebyscore", -4, READONLY, 1, 1, 1, c -> range(c, 1, ZRange.Kind.SCORE, true, 4));
        add("zrangebylex", -4, READONLY, 1, 1, 1, c -> range(c, 1, ZRange.Kind.LEX, false, 4));
        add("zrevrangebylex", -4, READONLY, 1, 1, 1, c -> range(c, 1, ZRange.Kind.LEX, true, 4));
        add("zremrangebyrank", 4, WRITE, 1, 1, 1, c -> removeRange(c, ZRange.rank(c.longArg(2), c.longArg(3))));
        add("zremrangebyscore", 4, WRITE, 1, 1, 1, c -> removeRange(c, ZRange.score(c.args[2], c.args[3])));
        add("zremrangebylex", 4, WRITE, 1, 1, 1, c -> removeRange(c, ZRange.lex(c.args[2], c.args[3])));
        add("zpopmin", -2, WRITE | FAST, 1, 1, 1, c -> pop(c, true));
        add("zpopmax", -2, WRITE | FAST, 1, 1, 1, c -> pop(c, false));
        add("bzpopmin", -3, WRITE | FAST, 1, -2, 1, c -> bpop(c, true));
        add("bzpopmax", -3, WRITE | FAST, 1, -2, 1, c -> bpop(c, false));
        add("zmpop", -4, WRITE, 0, 0, 0, c -> mpop(c, false));
        add("bzmpop", -5, WRITE, 0, 0, 0, c -> mpop(c, true));
        add("zunionstore", -4, WRITE | DENYOOM, 1, 1, 1, c -> combine(c, SetOp.UNION, true));
        add("zinterstore", -4, WRITE | DENYOOM, 1, 1, 1, c -> combine(c, SetOp.INTER, true));
        add("zdiffstore", -4, WRITE | DENYOOM, 1, 1, 1, c -> combine(c, SetOp.DIFF, true));
        add("zunion", -3, READONLY, 0, 0, 0, c -> combine(c, SetOp.UNION, false));
        add("zinter", -3, READONLY, 0, 0, 0, c -> combine(c, SetOp.INTER, false));
        add("zdiff", -3, READONLY, 0, 0, 0, c -> combine(c, SetOp.DIFF, false));
        add("zrandmember", -2, READONLY, 1, 1, 1, SortedSetCommands::randomMembers);
        add("zscan", -3, READONLY, 1, 1, 1, c -> {
            Scan scan = Scan.parse(c, 2);
            SortedSetValue z = c.existing(1, SortedSetValue.class);
            List<byte[]> out = new ArrayList<>();
            if (z != null) {
                for (SortedSetValue.Node n : z.ordered()) {
                    if (scan.matches(n.member().bytes)) {
                        out.add(n.member().bytes);
                        out.add(Numbers.formatDouble(n.score()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                }
            }
            scan.reply(c, out);
        });
    }

    static boolean nonEmptySortedSet(Object value) {
        return value instanceof SortedSetValue z && !z.isEmpty();
    }

    /** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]. */
    private static void zadd(Call c) throws KvError {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = false;
        int i = 2;
        for (boolean option = true; option && i < c.argc(); ) {
            switch (c.word(i)) {
                case "nx" -> nx = true;
                case "xx" -> xx = true;
                case "gt" -> gt = true;
                case "lt" -> lt = true;
                case "ch" -> ch = true;
                case "incr" -> incr = true;
                default -> option = false;
            }
            if (option) {
                i++;
            }
        }
        int pairs = c.argc() - i;
        if (pairs == 0 || pairs % 2 != 0) {
            throw KvError.SYNTAX;
        }
        if (nx && xx) {
            throw new KvError("ERR XX and NX options at the same time are not compatible");
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw new KvError("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && pairs > 2) {
            throw new KvError("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[pairs / 2];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = Numbers.parseDouble(c.args[i + 2 * p]);
        }
        SortedSetValue z = c.existing(1, SortedSetValue.class);
        if (z == null) {
            if (xx) {
                if (incr) {
                    c.reply.nullBulk();
                } else {
                    c.reply.integer(0);
                }
                return;
            }
            z = c.create(1, SortedSetValue.class, SortedSetValue::new);
        }
        long added = 0;
        long changed = 0;
        Double incrResult = null;
        for (int p = 0; p < scores.length; p++) {
            Key member = new Key(c.args[i + 2 * p + 1]);
            Double old = z.score(member);
            double score = scores[p];
            if (old == null) {
                if (xx) {
                    continue;
                }
                z.put(member, score);
                added++;
                incrResult = score;
                continue;
            }
            if (nx) {
                continue;
            }
            if (incr) {
                score = old + score;
                if (Double.isNaN(score)) {
                    throw new KvError("ERR resulting score is not a number (NaN)");
                }
            }
            if ((gt && score <= old) || (lt && score >= old)) {
                continue;
            }
            incrResult = score;
            if (score != old) {
                z.put(member, score);
                changed++;
            }
        }
        c.dropIfEmpty(1, z);
        if (incr) {
            if (incrResult == null) {
                c.reply.nullBulk();
            } else {
                c.reply.score(incrResult);
            }
            return;
        }
        c.reply.integer(ch ? added + changed : added);
    }

    private static void rank(Call c, boolean reverse) throws KvError {
        SortedSetValue z = c.existing(1, SortedSetValue.class);
        long r = z == null ? -1 : z.rank(new Key(c.args[2]));
        if (r < 0) {
            c.reply.nullBulk();
            return;
        }
        c.reply.integer(reverse ? z.size() - 1 - r : r);
    }

    /**
     * ZRANGE and every older form: the source key is argument {@code sourceAt}, the range follows it;
     * {@code fixedKind} is the older command's kind (null: ZRANGE's options decide); options start at
     * {@code optionsAt}. ZRANGESTORE (source at 2) stores instead of replying.
     */
    private static void range(Call c, int sourceAt, ZRange.Kind fixedKind, boolean fixedReverse, int optionsAt)
            throws KvError {
        boolean store = sourceAt == 2;
        ZRange.Kind kind = fixedKind == null ? ZRange.Kind.RANK : fixedKind;
        boolean reverse = fixedReverse;
        boolean withScores = false;
        long offset = 0;
        long count = -1;
        boolean limit = false;
        for (int i = optionsAt; i < c.argc(); i++) {
            String option = c.word(i);
            if (option.equals("withscores") && !store) {
                withScores = true;
            } else if (option.equals("limit") && i + 2 < c.argc()) {
                offset = c.longArg(i + 1);
                count = c.longArg(i + 2);
                limit = true;
                i += 2;
            } else if (fixedKind == null && option.equals("rev")) {
                reverse = true;
            } else if (fixedKind == null && option.equals("byscore")) {
                kind = ZRange.Kind.SCORE;
            } else if (fixedKind == null && option.equals("bylex")) {
                kind = ZRange.Kind.LEX;
            } else {
                throw KvError.SYNTAX;
            }
        }
        if (limit && kind == ZRange.Kind.RANK) {
            throw new KvError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && kind == ZRange.Kind.LEX) {
            throw new KvError("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        byte[] first = c.args[sourceAt + 1];
        byte[] second = c.args[sourceAt + 2];
        if (reverse && kind != ZRange.Kind.RANK) { // the reverse forms take max before min
            byte[] t = first;
            first = second;
            second = t;
        }
        ZRange r = switch (kind) {
            case RANK -> ZRange.rank(Numbers.parseLong(first), Numbers.parseLong(second));
            case SCORE -> ZRange.score(first, second);
            case LEX -> ZRange.lex(first, second);
        };
        SortedSetValue z = c.existing(sourceAt, SortedSetValue.class);
        List<SortedSetValue.Node> picked = z == null ? List.of() : r.pick(z, reverse, offset, count);
        if (store) {
            c.db().delete(c.key(1), c.now);
            if (!picked.isEmpty()) {
                SortedSetValue target = new SortedSetValue();
                picked.forEach(n -> target.put(n.member(), n.score()));
                c.db().put(c.key(1), target, false, c.now);
            }
            c.reply.integer(picked.size());
            return;
        }
        replyNodes(c, picked, withScores);
    }

    /** Members, with their scores if asked: flat in RESP2, pairs in RESP3. */
    static void replyNodes(Call c, List<SortedSetValue.Node> nodes, boolean withScores) {
        boolean pairs = withScores && c.reply.resp3();
        c.reply.array(withScores && !pairs ? nodes.size() * 2 : nodes.size());
        for (SortedSetValue.Node n : nodes) {
            if (pairs) {
                c.reply.array(2);
            }
            c.reply.bulk(n.member().bytes);
            if (withScores) {
                c.reply.score(n.score());
            }
        }
    }

    private static void removeRange(Call c, ZRange r) throws KvError {
        SortedSetValue z = c.existing(1, SortedSetValue.class);
        if (z == null) {
            c.reply.integer(0);
            return;
        }
        List<SortedSetValue.Node> picked = r.pick(z, false, 0, -1);
        picked.forEach(n -> z.remove(n.member()));
        c.dropIfEmpty(1, z);
        c.reply.integer(picked.size());
    }

    private static List<SortedSetValue.Node> popFrom(SortedSetValue z, boolean min, long count) {
        List<SortedSetValue.Node> out = new ArrayList<>();
        Iterator<SortedSetValue.Node> it = min ? z.ordered().iterator() : z.descending();
        while (out.size() < count && it.hasNext()) {
            out.add(it.next());
        }
        out.forEach(n -> z.remove(n.member()));
        return out;
    }

    private static void pop(Call c, boolean min) throws KvError {
        if (c.argc() > 3) {
            throw KvError.SYNTAX;
        }
        long count = 1;
        if (c.argc() == 3) {
            count = Numbers.parseLongOr(c.args[2], -1);
            if (count < 0) {
                throw new KvError(POSITIVE);
            }
        }
        SortedSetValue z = c.existing(1, SortedSetValue.class);
        List<SortedSetValue.Node> popped = z == null ? List.of() : popFrom(z, min, count);
        c.dropIfEmpty(1, z);
        c.reply.array(popped.size() * 2);
        for (SortedSetValue.Node n : popped) {
            c.reply.bulk(n.member().bytes);
            c.reply.score(n.score());
        }
    }

    private static void bpop(Call c, boolean min) throws KvError {
        long deadline = Blocking.deadline(c.args[c.argc() - 1], c.now);
        for (int i = 1; i < c.argc() - 1; i++) {
            SortedSetValue z = c.mayPopFrom(i) ? c.existing(i, SortedSetValue.class) : null;
            if (z != null) {
                SortedSetValue.Node n = popFrom(z, min, 1).getFirst();
                c.dropIfEmpty(i, z);
                c.reply.array(3);
                c.reply.bulk(c.args[i]);
                c.reply.bulk(n.member().bytes);
                c.reply.score(n.score());
                c.propagate(min ? "ZPOPMIN" : "ZPOPMAX", c.args[i]);
                return;
            }
        }
        c.blockOnKeysBeforeTimeout(deadline, SortedSetCommands::nonEmptySortedSet);
    }

    /** [B]ZMPOP [timeout] numkeys key [key ...] MIN|MAX [COUNT count]. */
    private static void mpop(Call c, boolean blocking) throws KvError {
        MultiPop p = MultiPop.parse(c, blocking, "min", "max");
        boolean min = p.first();
        long count = p.count();
        MultiKeys m = p.keys();
        for (int k = m.first(); k < m.end(); k++) {
            SortedSetValue z = c.mayPopFrom(k) ? c.existing(k, SortedSetValue.class) : null;
            if (z != null) {
                List<SortedSetValue.Node> popped = popFrom(z, min, count);
                c.dropIfEmpty(k, z);
                c.reply.array(2);
                c.reply.bulk(c.args[k]);
                c.reply.array(popped.size());
                for (SortedSetValue.Node n : popped) {
                    c.reply.array(2);
                    c.reply.bulk(n.member().bytes);
                    c.reply.score(n.score());
                }
                c.propagate("ZMPOP", "1", c.args[k], min ? "MIN" : "MAX", "COUNT", popped.size());
                return;
            }
        }
        if (blocking && c.mayBlock) {
            c.block(m.keys(c), p.deadline(), SortedSetCommands::nonEmptySortedSet);
        } else {
            c.reply.nullArray();
        }
    }

    private enum SetOp { UNION, INTER, DIFF }

    /**
     * ZUNION/ZINTER/ZDIFF numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES], and the
     * STORE forms with the destination first (no WITHSCORES). Sets count as sorted sets with score 1.
     */
    private static void combine(Call c, SetOp op, boolean store) throws KvError {
        int numkeysAt = store ? 2 : 1;
        c.longArg(numkeysAt); // not an integer: Redis's plain integer error, before the key count's
        MultiKeys m = MultiKeys.parse(c, numkeysAt, "ERR at least 1 input key is needed for '" + c.name + "' command",
                KvError.SYNTAX.getMessage());
        List<Map<Key, Double>> inputs = new ArrayList<>(); // every key's type is checked before the options
        for (int k = m.first(); k < m.end(); k++) {
            inputs.add(scoresOf(c, k));
        }
        int n = m.end() - m.first();
        double[] weights = new double[n];
        Arrays.fill(weights, 1);
        String aggregate = "sum";
        boolean withScores = false;
        for (int i = m.end(); i < c.argc(); i++) {
            String option = c.word(i);
            if (option.equals("weights") && op != SetOp.DIFF && i + n < c.argc()) {
                for (int w = 0; w < n; w++) {
                    try {
                        weights[w] = Numbers.parseDouble(c.args[i + 1 + w]);
                    } catch (KvError e) {
                        throw new KvError("ERR weight value is not a float");
                    }
                }
                i += n;
            } else if (option.equals("aggregate") && op != SetOp.DIFF && i + 1 < c.argc()) {
                aggregate = c.word(++i);
                if (!List.of("sum", "min", "max").contains(aggregate)) {
                    throw KvError.SYNTAX;
                }
            } else if (option.equals("withscores") && !store) {
                withScores = true;
            } else {
                throw KvError.SYNTAX;
            }
        }
        Map<Key, Double> result = new LinkedHashMap<>();
        String how = aggregate;
        if (op == SetOp.UNION) {
            for (int k = 0; k < n; k++) {
                for (Map.Entry<Key, Double> e : inputs.get(k).entrySet()) {
                    double s = weighted(e.getValue(), weights[k]);
                    result.merge(e.getKey(), s, (a, b) -> aggregate(how, a, b));
                }
            }
        } else {
            outer:
            for (Map.Entry<Key, Double> e : inputs.getFirst().entrySet()) {
                double s = weighted(e.getValue(), weights[0]);
                for (int k = 1; k < n; k++) {
                    Double other = inputs.get(k).get(e.getKey());
                    if (op == SetOp.DIFF ? other != null : other == null) {
                        continue outer;
                    }
                    if (op == SetOp.INTER) {
                        s = aggregate(aggregate, s, weighted(other, weights[k]));
                    }
                }
                result.put(e.getKey(), s);
            }
        }
        SortedSetValue combined = new SortedSetValue();
        result.forEach(combined::put);
        if (store) {
            c.db().delete(c.key(1), c.now);
            if (!combined.isEmpty()) {
                c.db().put(c.key(1), combined, false, c.now);
            }
            c.reply.integer(combined.size());
            return;
        }
        replyNodes(c, new ArrayList<>(combined.ordered()), withScores);
    }

    private static Map<Key, Double> scoresOf(Call c, int i) throws KvError {
        Database.Entry e = c.read(i);
        Map<Key, Double> scores = new HashMap<>();
        if (e == null) {
            return scores;
        }
        if (e.value instanceof SortedSetValue z) {
            for (SortedSetValue.Node n : z.ordered()) {
                scores.put(n.member(), n.score());
            }
        } else if (e.value instanceof SetValue s) {
            for (Key k : s.members()) {
                scores.put(k, 1.0);
            }
        } else {
            throw KvError.WRONGTYPE;
        }
        return scores;
    }

    private static double weighted(double score, double weight) {
        double r = score * weight;
        return Double.isNaN(r) ? 0 : r;
    }

    private static double aggregate(String how, double a, double b) {
        return switch (how) {
            case "min" -> Math.min(a, b);
            case "max" -> Math.max(a, b);
            default -> {
                double s = a + b;
                yield Double.isNaN(s) ? 0 : s;
            }
        };
    }

    /** ZRANDMEMBER key [count [WITHSCORES]]. */
    private static void randomMembers(Call c) throws KvError {
        if (c.argc() > 4 || (c.argc() == 4 && !c.word(3).equals("withscores"))) {
            throw KvError.SYNTAX;
        }
        long count = c.argc() >= 3 ? c.longArg(2) : Long.MIN_VALUE;
        if (count != Long.MIN_VALUE && (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2)) {
            throw new KvError("ERR value is out of range");
        }
        Sampling.checkRepeats(c, count);
        SortedSetValue z = c.existing(1, SortedSetValue.class);
        List<SortedSetValue.Node> all = z == null ? List.of() : new ArrayList<>(z.ordered());
        if (count == Long.MIN_VALUE) {
            List<SortedSetValue.Node> one = new ArrayList<>();
            Sampling.pick(all, 1, one);
            c.reply.bulk(one.isEmpty() ? null : one.getFirst().member().bytes);
            return;
        }
        List<SortedSetValue.Node> picked = new ArrayList<>();
        Sampling.pick(all, count, picked);
        replyNodes(c, picked, c.argc() == 4);
    }
}
