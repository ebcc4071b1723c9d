package io.ipc4j.kv;

/** Redis's glob-style matching (KEYS, SCAN MATCH, CONFIG GET): *, ?, [abc], [^a-z], and \ escapes. */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] pattern, byte[] text) {
        return matches(pattern, 0, text, 0, 0);
    }

    private static boolean matches(byte[] p, int pi, byte[] s, int si, int depth) {
        if (depth > 1000) {
            return false; // a pathological pattern: refuse rather than recurse without bound
        }
        while (pi < p.length) {
            switch (p[pi]) {
                case '*' -> {
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k <= s.length; k++) {
                        if (matches(p, pi + 1, s, k, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length) {
                        return false;
                    }
                    si++;
                }
                case '[' -> {
                    if (si >= s.length) {
                        return false;
                    }
                    int end = pi + 1;
                    boolean not = end < p.length && p[end] == '^';
                    if (not) {
                        end++;
                    }
                    boolean match = false;
                    while (end < p.length && p[end] != ']') {
                        if (p[end] == '\\' && end + 1 < p.length) {
                            end++;
                            match |= p[end] == s[si];
                        } else if (end + 2 < p.length && p[end + 1] == '-' && p[end + 2] != ']') {
                            int lo = p[end] & 0xff;
                            int hi = p[end + 2] & 0xff;
                            int c = s[si] & 0xff;
                            match |= lo <= hi ? c >= lo && c <= hi : c >= hi && c <= lo;
                            end += 2;
                        } else {
                            match |= p[end] == s[si];
                        }
                        end++;
                    }
                    if (match == not) {
                        return false;
                    }
                    pi = Math.min(end, p.length - 1);
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length) {
                        pi++;
                    }
                    if (si >= s.length || p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (si >= s.length || p[pi] != s[si]) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        return si == s.length;
    }
}
