package io.ipc4j.kv;

/**
 * Redis's glob-style matching (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET): *, ?, [abc], [^a-z], and \ escapes.
 * Linear in the text for each star: on a mismatch it goes back only to the last star, never to earlier ones
 * (a pattern such as "*a*a*a*a*a*a*b" against a long text took exponential time in a recursive matcher, as in
 * Redis before CVE-2022-36021).
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] p, byte[] s) {
        int pi = 0;
        int si = 0;
        int starP = -1; // where the pattern goes on after the last star seen
        int starS = 0;  // how much of the text that star has taken so far
        while (si < s.length) {
            if (pi < p.length && p[pi] == '*') {
                while (pi < p.length && p[pi] == '*') {
                    pi++;
                }
                if (pi == p.length) {
                    return true;
                }
                starP = pi;
                starS = si;
                continue;
            }
            int next = pi < p.length ? matchOne(p, pi, s[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starP >= 0) {
                pi = starP; // the last star takes one more byte
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    /** Whether the pattern's token at {@code pi} (not a star) matches {@code c}: the next token's index, or -1. */
    private static int matchOne(byte[] p, int pi, byte c) {
        switch (p[pi]) {
            case '?' -> {
                return pi + 1;
            }
            case '[' -> {
                int end = pi + 1;
                boolean not = end < p.length && p[end] == '^';
                if (not) {
                    end++;
                }
                boolean match = false;
                while (end < p.length && p[end] != ']') {
                    if (p[end] == '\\' && end + 1 < p.length) {
                        end++;
                        match |= p[end] == c;
                    } else if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
                        int lo = p[end] & 0xff;
                        int hi = p[end + 2] & 0xff;
                        int v = c & 0xff;
                        match |= lo <= hi ? v >= lo && v <= hi : v >= hi && v <= lo;
                        end += 2;
                    } else {
                        match |= p[end] == c;
                    }
                    end++;
                }
                return match == not ? -1 : Math.min(end, p.length - 1) + 1;
            }
            case '\\' -> {
                int at = pi + 1 < p.length ? pi + 1 : pi;
                return p[at] == c ? at + 1 : -1;
            }
            default -> {
                return p[pi] == c ? pi + 1 : -1;
            }
        }
    }
}
