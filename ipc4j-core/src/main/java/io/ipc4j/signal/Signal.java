package io.ipc4j.signal;

import java.util.Locale;
import java.util.Objects;

/**
 * A Linux signal: its number and name. Standard signals are constants; real-time ones come from
 * {@link #realtime(int)}. Equal when the numbers are equal.
 *
 * <p>Real-time numbers follow glibc: {@code SIGRTMIN} is 34, because glibc keeps 32 and 33 for its threads.
 */
public final class Signal {
    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
        "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    /** glibc's SIGRTMIN (the kernel's is 32; glibc reserves 32 and 33). */
    public static final int RTMIN = 34;
    /** SIGRTMAX on Linux. */
    public static final int RTMAX = 64;

    /** SIGHUP (1): hang-up: the terminal went away, or "reload your configuration". */
    public static final Signal HUP = new Signal(1);
    /** SIGINT (2): interrupt: Ctrl-C. */
    public static final Signal INT = new Signal(2);
    /** SIGQUIT (3): quit with a core dump: Ctrl-\\. */
    public static final Signal QUIT = new Signal(3);
    /** SIGABRT (6): abort. */
    public static final Signal ABRT = new Signal(6);
    /** SIGKILL (9): kill: cannot be caught, blocked or ignored. */
    public static final Signal KILL = new Signal(9);
    /** SIGUSR1 (10): user-defined signal 1. */
    public static final Signal USR1 = new Signal(10);
    /** SIGUSR2 (12): user-defined signal 2. */
    public static final Signal USR2 = new Signal(12);
    /** SIGPIPE (13): write to a pipe or socket with no reader (ipc4j never dies of it). */
    public static final Signal PIPE = new Signal(13);
    /** SIGALRM (14): alarm clock. */
    public static final Signal ALRM = new Signal(14);
    /** SIGTERM (15): terminate: the polite request to stop. */
    public static final Signal TERM = new Signal(15);
    /** SIGCHLD (17): a child stopped or ended. */
    public static final Signal CHLD = new Signal(17);
    /** SIGCONT (18): continue if stopped. */
    public static final Signal CONT = new Signal(18);
    /** SIGSTOP (19): stop: cannot be caught, blocked or ignored. */
    public static final Signal STOP = new Signal(19);
    /** SIGTSTP (20): stop from the terminal: Ctrl-Z. */
    public static final Signal TSTP = new Signal(20);
    /** SIGWINCH (28): the terminal window changed size. */
    public static final Signal WINCH = new Signal(28);

    private final int number;

    private Signal(int number) {
        this.number = number;
    }

    /**
     * The signal with this number, 0 to 64. Number 0 is the null signal: sending it checks that the process
     * exists and may be signalled, and delivers nothing.
     *
     * @param number the number
     * @return the signal with this number, 0 to 64
     * @throws IllegalArgumentException for numbers Linux does not have, or 32 and 33 (glibc's own).
     */
    public static Signal of(int number) {
        if (number < 0 || number > RTMAX || number == 32 || number == 33) {
            throw new IllegalArgumentException("no signal " + number + ": Linux signals are 1-31 and "
                    + RTMIN + "-" + RTMAX + " (32 and 33 are the C library's own); 0 only checks a process exists");
        }
        return new Signal(number);
    }

    /**
     * The signal named {@code name}: {@code TERM}, {@code SIGTERM}, {@code term}, {@code 15},
     * {@code RTMIN+2} or {@code SIGRTMIN+2}.
     *
     * @param name its name
     * @return the signal named {@code name}: {@code TERM}, {@code SIGTERM}, {@code term}, {@code 15}, {@code RTMIN+2} or {@code SIGRTMIN+2}
     * @throws IllegalArgumentException naming the accepted forms if {@code name} is none of them.
     */
    public static Signal of(String name) {
        String n = Objects.requireNonNull(name, "name").strip().toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
            return of(Integer.parseInt(n));
        }
        if (n.equals("RTMIN")) {
            return realtime(0);
        }
        if (n.startsWith("RTMIN+")) {
            return realtime(parseOffset(name, n.substring(6)));
        }
        if (n.equals("RTMAX")) {
            return new Signal(RTMAX);
        }
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(n)) {
                return new Signal(i);
            }
        }
        throw new IllegalArgumentException("unknown signal '" + name + "': use a name such as TERM or SIGUSR1,"
                + " a number, or RTMIN+N");
    }

    private static int parseOffset(String name, String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown signal '" + name + "': RTMIN+N needs a number N", e);
        }
    }

    /**
     * {@code SIGRTMIN+offset}, offset 0 to 30. Real-time signals queue (they do not coalesce) and carry a value.
     *
     * @param offset the byte offset
     * @return the real-time signal SIGRTMIN+{@code offset}
     */
    public static Signal realtime(int offset) {
        if (offset < 0 || RTMIN + offset > RTMAX) {
            throw new IllegalArgumentException("SIGRTMIN+" + offset + " does not exist: the offset must be 0 to "
                    + (RTMAX - RTMIN));
        }
        return new Signal(RTMIN + offset);
    }

    /**
     * The number, as kill(2) takes it.
     *
     * @return the number, as kill(2) takes it
     */
    public int number() {
        return number;
    }

    /**
     * Whether this is a real-time signal (queued, ordered, with a value).
     *
     * @return whether this is a real-time signal
     */
    public boolean isRealtime() {
        return number >= RTMIN;
    }

    /**
     * The name without "SIG" ({@code TERM}, {@code RTMIN+3}, {@code 0}), as sun.misc.Signal and kill -l use it.
     *
     * @return the name without "SIG"
     */
    public String shortName() {
        if (number == 0) {
            return "0";
        }
        if (number < NAMES.length) {
            return NAMES[number];
        }
        return number == RTMAX ? "RTMAX" : "RTMIN+" + (number - RTMIN);
    }

    /**
     * The name of signal {@code number} for messages, as {@link #toString()} gives it ({@code SIGKILL},
     * {@code SIGRTMIN+3}), or {@code signal N} for a number Linux does not use (such as 32, 33 or 0).
     *
     * @param number a signal number, as wait(2) or siginfo report it
     * @return its name, never null
     */
    public static String nameOf(int number) {
        boolean named = number > 0 && number <= RTMAX && number != 32 && number != 33;
        return named ? new Signal(number).toString() : "signal " + number;
    }

    /** {@code SIGTERM}, {@code SIGRTMIN+3}. */
    @Override
    public String toString() {
        return number == 0 ? "signal 0" : "SIG" + shortName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signal s && s.number == number;
    }

    @Override
    public int hashCode() {
        return number;
    }
}
