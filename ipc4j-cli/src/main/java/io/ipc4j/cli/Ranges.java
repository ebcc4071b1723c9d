package io.ipc4j.cli;

import picocli.CommandLine;

import java.util.Locale;

/**
 * Option values checked where they are read, before a command starts: each converter refuses a value outside
 * its range with a sentence naming the range (picocli adds the option's name), so a bad value is one line and
 * never a hang, a table of zeros or a failure after a long run.
 */
public final class Ranges {
    private Ranges() {
    }

    private static long whole(String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number: give one from "
                    + String.format(Locale.ROOT, "%,d to %,d", min, max));
        }
        if (n < min || n > max) {
            throw new CommandLine.TypeConversionException(value + " is out of range: give a whole number from "
                    + String.format(Locale.ROOT, "%,d to %,d", min, max));
        }
        return n;
    }

    /** Whole numbers from {@code min} to {@code max}: each range below is one of these. */
    private abstract static class IntRange implements CommandLine.ITypeConverter<Integer> {
        private final int min;
        private final int max;

        IntRange(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Integer convert(String value) {
            return (int) whole(value, min, max);
        }
    }

    /** A count of 1 or more (iterations, messages, clients, workers...). */
    public static final class Positive extends IntRange {
        public Positive() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** 0 or more (a warm-up that may be skipped). */
    public static final class NonNegative extends IntRange {
        public NonNegative() {
            super(0, Integer.MAX_VALUE);
        }
    }

    /** Event-loop and worker threads: 1 to 256 (each costs descriptors; more cannot help on any machine here). */
    public static final class Threads extends IntRange {
        public Threads() {
            super(1, 256);
        }
    }

    /** A fan-out load's receiving threads. */
    public static final class Readers extends IntRange {
        public Readers() {
            super(1, io.ipc4j.chat.load.FanoutLoad.Settings.MOST_READERS);
        }
    }

    /** A busy-poll time in microseconds: 0 (off) to a second. */
    public static final class PollMicros extends IntRange {
        public PollMicros() {
            super(0, 1_000_000);
        }
    }

    /** A message size in bytes, 1 byte to 16 MiB. */
    public static final class MessageSize extends IntRange {
        public MessageSize() {
            super(1, 16 << 20);
        }
    }

    /** A count of 1 or more, as a long. */
    public static final class PositiveLong implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return whole(value, 1, Long.MAX_VALUE);
        }
    }

    /** A rate per second, 0 (no limit) or more. */
    public static final class Rate implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double rate;
            try {
                rate = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                rate = Double.NaN;
            }
            if (!(rate >= 0) || Double.isInfinite(rate)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a rate: give a number of 0"
                        + " (no limit) or more per second");
            }
            return rate;
        }
    }

    /** A file mode in octal, 0 to 777, as chmod takes it: 600, 0660. */
    public static final class OctalMode implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String v = value.strip();
            if (!v.matches("0?[0-7]{1,3}")) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a file mode: give octal"
                        + " digits as chmod takes them, from 0 to 777 (e.g. 600, or 660 to let the group in)");
            }
            return Integer.parseInt(v, 8);
        }
    }

    /** A size in bytes: a whole number, optionally with k, m or g (1024-based); 0 or more. */
    public static final class Bytes implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String t = value.strip().toLowerCase(Locale.ROOT);
            long unit = t.isEmpty() ? 1 : switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1;
            };
            String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
            if (!digits.matches("\\d{1,12}")) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size: give bytes as a whole"
                        + " number of 0 or more, or with k, m or g (e.g. 512m, 2g)");
            }
            return Long.parseLong(digits) * unit;
        }
    }
}
