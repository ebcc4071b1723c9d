package io.ipc4j.kv;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * INCRBYFLOAT's arithmetic as Redis does it on x86-64: in C's long double (the x87 80-bit format, a 64-bit
 * significand), printed with "%.17Lf" and its trailing zeros removed. Values are kept as exact BigDecimals
 * of what the long double holds.
 */
final class LongDouble {
    private static final int SIGNIFICAND_BITS = 64;
    private static final BigInteger TOP = BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS);
    /** The largest finite long double, about 1.19e4932. */
    private static final BigDecimal MAX = new BigDecimal(TOP.subtract(BigInteger.ONE))
            .multiply(new BigDecimal(BigInteger.TWO.pow(16384 - SIGNIFICAND_BITS)));

    private LongDouble() {
    }

    /** {@code x} rounded to the nearest long double (ties to even), or null if it overflows. */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal magnitude = x.abs();
        if (magnitude.compareTo(MAX) > 0) {
            return null;
        }
        int k = SIGNIFICAND_BITS - 1 - estimateLog2(magnitude); // magnitude * 2^k in [2^63, 2^64)
        BigDecimal scaled = scale(magnitude, k);
        while (scaled.compareTo(new BigDecimal(TOP)) >= 0) {
            k--;
            scaled = scale(magnitude, k);
        }
        while (scaled.compareTo(new BigDecimal(TOP.shiftRight(1))) < 0) {
            k++;
            scaled = scale(magnitude, k);
        }
        BigInteger m = scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        BigDecimal rounded = scale(new BigDecimal(m), -k);
        return x.signum() < 0 ? rounded.negate() : rounded;
    }

    /** As "%.17Lf" prints it, trailing zeros and a bare point removed, "-0" as "0". */
    static byte[] format(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        if (s.equals("-0")) {
            s = "0";
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static BigDecimal scale(BigDecimal x, int k) {
        return k >= 0 ? x.multiply(new BigDecimal(BigInteger.TWO.pow(k)))
                : x.divide(new BigDecimal(BigInteger.TWO.pow(-k))); // exact: 1/2^n has a finite decimal form
    }

    private static int estimateLog2(BigDecimal x) {
        return (int) Math.floor((x.unscaledValue().bitLength() - 1) - x.scale() * (Math.log(10) / Math.log(2)));
    }
}
