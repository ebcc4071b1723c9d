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

    /** Whether {@code b} is a strict decimal long, as Redis's string2ll decides (OBJECT ENCODING's int). */
    static boolean isLong(byte[] b) {
        return parseLongOrMin(b) != Long.MIN_VALUE || java.util.Arrays.equals(b, ascii(Long.MIN_VALUE));
    }

    /** As {@link #parseLong}, with {@code otherwise} for "not an integer" (commands with their own error text). */
    static long parseLongOr(byte[] b, long otherwise) {
        try {
            return parseLong(b);
        } catch (KvError e) {
            return otherwise;
        }
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
                throw KvError.INFINITE;
            }
            throw KvError.NOT_FLOAT;
        }
    }

    /** As {@link #parseDecimal}, rounded to a long double as strtold does (too large: not a valid float). */
    static BigDecimal parseLongDouble(byte[] b) throws KvError {
        BigDecimal v = LongDouble.round(parseDecimal(b));
        if (v == null) {
            throw KvError.NOT_FLOAT;
        }
        return v;
    }

    /** An INCRBYFLOAT result: the sum rounded to a long double, printed as Redis prints it. */
    static byte[] formatLongDouble(BigDecimal sum) throws KvError {
        BigDecimal v = LongDouble.round(sum);
        if (v == null) {
            throw KvError.INFINITE;
        }
        return LongDouble.format(v);
    }

    /**
     * A score as Redis's strtod reads it: decimal or exponent form, or [+-]inf[inity]; no spaces, no NaN, no
     * hexadecimal, no Java suffixes.
     */
    static double parseDouble(byte[] b) throws KvError {
        String s = new String(b, StandardCharsets.US_ASCII);
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        if (s.isEmpty() || s.length() > 300) {
            throw KvError.NOT_FLOAT;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= '0' && ch <= '9') && ch != '.' && ch != 'e' && ch != 'E' && ch != '+' && ch != '-') {
                throw KvError.NOT_FLOAT;
            }
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw KvError.NOT_FLOAT;
        }
    }

    /** A double as Redis 7.0 replies it: C's %.17g, with inf and -inf. */
    static String formatDouble(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d);
        }
        BigDecimal v = new BigDecimal(d).round(SEVENTEEN);
        int exponent = v.precision() - v.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            BigDecimal mantissa = v.movePointLeft(exponent).stripTrailingZeros();
            String m = mantissa.toPlainString();
            String e = String.format(java.util.Locale.ROOT, "%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
            return m + "e" + e;
        }
        return v.stripTrailingZeros().toPlainString();
    }
}
