package io.ipc4j.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** A range over a sorted set: by rank, by score, or by member bytes (lex), with Redis's bound syntax. */
final class ZRange {
    enum Kind { RANK, SCORE, LEX }

    private final Kind kind;
    private final long start;
    private final long stop;
    private final double min;
    private final boolean minExclusive;
    private final double max;
    private final boolean maxExclusive;
    private final byte[] lexMin; // null: "-" (below all) ; see lexMinAll
    private final byte[] lexMax;
    private final boolean lexMinAll;
    private final boolean lexMaxAll;

    private ZRange(Kind kind, long start, long stop, double min, boolean minEx, double max, boolean maxEx,
                   byte[] lexMin, boolean lexMinAll, byte[] lexMax, boolean lexMaxAll) {
        this.kind = kind;
        this.start = start;
        this.stop = stop;
        this.min = min;
        this.minExclusive = minEx;
        this.max = max;
        this.maxExclusive = maxEx;
        this.lexMin = lexMin;
        this.lexMax = lexMax;
        this.lexMinAll = lexMinAll;
        this.lexMaxAll = lexMaxAll;
    }

    static ZRange rank(long start, long stop) {
        return new ZRange(Kind.RANK, start, stop, 0, false, 0, false, null, false, null, false);
    }

    /** Score bounds: a number, "(" before it for an exclusive bound, or [+-]inf. */
    static ZRange score(byte[] min, byte[] max) throws KvError {
        boolean minEx = min.length > 0 && min[0] == '(';
        boolean maxEx = max.length > 0 && max[0] == '(';
        double lo;
        double hi;
        try {
            lo = Numbers.parseDouble(minEx ? Arrays.copyOfRange(min, 1, min.length) : min);
            hi = Numbers.parseDouble(maxEx ? Arrays.copyOfRange(max, 1, max.length) : max);
        } catch (KvError e) {
            throw new KvError("ERR min or max is not a float");
        }
        return new ZRange(Kind.SCORE, 0, 0, lo, minEx, hi, maxEx, null, false, null, false);
    }

    /** Lex bounds: "-" and "+" for the ends, or "[" (inclusive) or "(" (exclusive) before the bytes. */
    static ZRange lex(byte[] min, byte[] max) throws KvError {
        checkLex(min);
        checkLex(max);
        boolean minAll = min[0] == '-';
        boolean maxAll = max[0] == '+';
        boolean minNone = min[0] == '+';
        boolean maxNone = max[0] == '-';
        if (minNone || maxNone) {
            return rank(1, 0); // "+" as the minimum or "-" as the maximum: nothing is in range
        }
        return new ZRange(Kind.LEX, 0, 0, 0, min[0] == '(', 0, max[0] == '(',
                minAll ? null : Arrays.copyOfRange(min, 1, min.length), minAll,
                maxAll ? null : Arrays.copyOfRange(max, 1, max.length), maxAll);
    }

    private static void checkLex(byte[] b) throws KvError {
        boolean ok = b.length > 0 && ((b.length == 1 && (b[0] == '-' || b[0] == '+')) || b[0] == '(' || b[0] == '[');
        if (!ok) {
            throw new KvError("ERR min or max not valid string range item");
        }
    }

    /** Every member in the range, ascending. */
    List<SortedSetValue.Node> select(SortedSetValue z) {
        return pick(z, false, 0, -1);
    }

    /** Members in the range, in the order asked, after skipping {@code offset}, at most {@code count} (<0: all). */
    List<SortedSetValue.Node> pick(SortedSetValue z, boolean reverse, long offset, long count) {
        List<SortedSetValue.Node> out = new ArrayList<>();
        if (offset < 0) {
            return out;
        }
        if (kind == Kind.RANK) {
            int[] r = Ranges.clamp(start, stop, z.size());
            if (r[0] > r[1]) {
                return out;
            }
            Iterator<SortedSetValue.Node> it = reverse ? z.descending() : z.ordered().iterator();
            for (int i = 0; it.hasNext() && i <= r[1]; i++) {
                SortedSetValue.Node n = it.next();
                if (i >= r[0]) {
                    out.add(n);
                }
            }
            return out;
        }
        Iterable<SortedSetValue.Node> candidates = kind == Kind.SCORE
                ? z.byScore(min, !minExclusive, max, !maxExclusive) : z.ordered();
        Iterator<SortedSetValue.Node> it = reverse
                ? ((java.util.NavigableSet<SortedSetValue.Node>) candidates).descendingIterator() : candidates.iterator();
        long skipped = 0;
        while (it.hasNext() && (count < 0 || out.size() < count)) {
            SortedSetValue.Node n = it.next();
            if (kind == Kind.LEX && !inLex(n.member().bytes)) {
                continue;
            }
            if (skipped < offset) {
                skipped++;
                continue;
            }
            out.add(n);
        }
        return out;
    }

    private boolean inLex(byte[] member) {
        if (!lexMinAll) {
            int c = Arrays.compareUnsigned(member, lexMin);
            if (c < 0 || (c == 0 && minExclusive)) {
                return false;
            }
        }
        if (!lexMaxAll) {
            int c = Arrays.compareUnsigned(member, lexMax);
            return c < 0 || (c == 0 && !maxExclusive);
        }
        return true;
    }
}
