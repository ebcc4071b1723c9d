package io.ipc4j.kv;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;

/** Numbers as Redis reads and writes them: strict decimal integers, and floats printed like %.17Lg. */
final class Numbers {
    private static final MathContext SEVENTEEN = new MathContext(17);

    private Numbers() {
    }

    /** A strict decimal long (no spaces, no '+', no leading zeros, within range), as Redis's string2ll. */
    static long parseLong(byte[] b) throws KvError {
        long r = parseLongOrMin(b);
        if (r == Long.MIN_VALUE && !(b.length == 20 && new String(b, StandardCharsets.US_ASCII)
                .equals("-9223372036854775808"))) {
            throw KvError.NOT_INTEGER;
        }
        return r;
    }

    /** As {@link #parseLong}, with Long.MIN_VALUE for "not an integer" (the caller tells the two apart). */
    static long parseLongOrMin(byte[] b) {
        int n = b.length;
        if (n == 0 || n > 20) {
            return Long.MIN_VALUE;
        }
        if (n == 1 && b[0] == '0') {
            return 0;
        }
        boolean negative = b[0] == '-';
        int i = negative ? 1 : 0;
        if (i >= n || b[i] < '1' || b[i] > '9') {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            // accumulate negatively so that Long.MIN_VALUE itself parses
            if (v < (Long.MIN_VALUE + d) / 10) {
                return Long.MIN_VALUE;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            return v == Long.MIN_VALUE ? Long.MIN_VALUE : -v;
        }
        return v;
    }

    static byte[] ascii(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    /** A float argument or stored value: decimal or exponent form; no spaces, no NaN or infinity. */
    static BigDecimal parseDecimal(byte[] b) throws KvError {
        String s = new String(b, StandardCharsets.US_ASCII);
        if (s.isEmpty() || s.length() > 5000 || Character.isWhitespace(s.charAt(0))
                || Character.isWhitespace(s.charAt(s.length() - 1))) {
            throw KvError.NOT_FLOAT;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            String lower = s.toLowerCase(java.util.Locale.ROOT);
            if (lower.matches("[+-]?(inf|infinity)")) {
                throw new KvError("ERR increment would produce NaN or Infinity");
            }
            throw KvError.NOT_FLOAT;
        }
    }

    /** A float as Redis prints INCRBYFLOAT results: 17 significant digits, no exponent, no trailing zeros. */
    static byte[] formatDecimal(BigDecimal v) {
        BigDecimal r = v.round(SEVENTEEN).stripTrailingZeros();
        String s = r.signum() == 0 ? "0" : r.toPlainString();
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
