package io.ipc4j.inspect;

import io.ipc4j.signal.Signal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an anonymous-inode descriptor is and holds, from its /proc/PID/fdinfo text: an eventfd's counter, the
 * signals a signalfd takes, a timerfd's clock and settings, the descriptors an epoll watches, a pidfd's process,
 * an inotify's watches, an io_uring's rings.
 */
final class AnonInodes {
    private AnonInodes() {
    }

    /** The kind of {@code target} ("anon_inode:[eventfd]", "anon_inode:inotify"...). */
    static FdKind kind(String target) {
        String name = target.substring("anon_inode:".length()).replace("[", "").replace("]", "");
        return switch (name) {
            case "eventfd" -> FdKind.EVENTFD;
            case "signalfd" -> FdKind.SIGNALFD;
            case "timerfd" -> FdKind.TIMERFD;
            case "eventpoll" -> FdKind.EPOLL;
            case "inotify" -> FdKind.INOTIFY;
            case "pidfd" -> FdKind.PIDFD;
            case "io_uring" -> FdKind.IO_URING;
            default -> FdKind.OTHER;
        };
    }

    /** A description of the descriptor of {@code kind} whose fdinfo is {@code fdinfo}. */
    static String describe(FdKind kind, String target, String fdinfo) {
        return switch (kind) {
            case EVENTFD -> "eventfd, counter " + field(fdinfo, "eventfd-count:")
                    + ("1".equals(field(fdinfo, "eventfd-semaphore:")) ? ", semaphore mode" : "");
            case SIGNALFD -> "signalfd for " + signals(field(fdinfo, "sigmask:"));
            case TIMERFD -> timer(fdinfo);
            case EPOLL -> epoll(fdinfo);
            case PIDFD -> "pidfd of pid " + field(fdinfo, "Pid:");
            case INOTIFY -> inotify(fdinfo);
            case IO_URING -> "io_uring, " + ring(field(fdinfo, "SqMask:")) + " submission and "
                    + ring(field(fdinfo, "CqMask:")) + " completion entries, " + field(fdinfo, "SQEs:")
                    + " submissions and " + field(fdinfo, "CQEs:") + " completions pending";
            default -> target.substring("anon_inode:".length());
        };
    }

    /** The value after {@code key} on its line, stripped; "?" if the line is missing. */
    static String field(String fdinfo, String key) {
        for (String line : fdinfo.lines().toList()) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).strip();
            }
        }
        return "?";
    }

    /** The signal names in a mask printed in hexadecimal, bit n-1 for signal n. */
    static String signals(String hexMask) {
        if (hexMask.equals("?")) {
            return "unknown signals";
        }
        long mask = Long.parseUnsignedLong(hexMask, 16);
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= 64; n++) {
            if ((mask & (1L << (n - 1))) != 0) {
                try {
                    names.add(Signal.of(n).toString());
                } catch (IllegalArgumentException glibcOwn) {
                    names.add("signal " + n);
                }
            }
        }
        return names.isEmpty() ? "no signal" : String.join(", ", names);
    }

    private static String timer(String fdinfo) {
        String clock = switch (field(fdinfo, "clockid:")) {
            case "0" -> "CLOCK_REALTIME";
            case "1" -> "CLOCK_MONOTONIC";
            case "7" -> "CLOCK_BOOTTIME";
            case "8" -> "CLOCK_REALTIME_ALARM";
            case "9" -> "CLOCK_BOOTTIME_ALARM";
            default -> "clock " + field(fdinfo, "clockid:");
        };
        double value = seconds(field(fdinfo, "it_value:"));
        double interval = seconds(field(fdinfo, "it_interval:"));
        String when = value == 0 ? "disarmed" : String.format(Locale.ROOT, "next in %.3f s", value);
        String every = interval == 0 ? "" : String.format(Locale.ROOT, ", every %.3f s", interval);
        return "timerfd " + clock + ", " + when + every + ", " + field(fdinfo, "ticks:") + " expirations unread";
    }

    /** "(99, 466308225)" as seconds. */
    private static double seconds(String pair) {
        String[] parts = pair.replace("(", "").replace(")", "").split(",");
        if (parts.length != 2) {
            return 0;
        }
        return Long.parseLong(parts[0].strip()) + Long.parseLong(parts[1].strip()) / 1e9;
    }

    /** "tfd:        3 events:       19 data: ..." lines: the watched descriptors and their events. */
    private static String epoll(String fdinfo) {
        List<String> watched = new ArrayList<>();
        for (String line : fdinfo.lines().toList()) {
            if (line.startsWith("tfd:")) {
                String[] f = line.split("\\s+");
                watched.add("fd " + f[1] + " (" + epollEvents(Integer.parseInt(f[3], 16)) + ")");
            }
        }
        return "epoll watching " + (watched.isEmpty() ? "nothing" : String.join(", ", watched));
    }

    static String epollEvents(int events) {
        String[] names = {"IN", "PRI", "OUT", "ERR", "HUP"};
        List<String> set = new ArrayList<>();
        for (int bit = 0; bit < names.length; bit++) {
            if ((events & (1 << bit)) != 0) {
                set.add(names[bit]);
            }
        }
        if ((events & 0x2000) != 0) {
            set.add("RDHUP");
        }
        if ((events & (1 << 31)) != 0) {
            set.add("ET");
        }
        if ((events & (1 << 30)) != 0) {
            set.add("ONESHOT");
        }
        return set.isEmpty() ? "no events" : String.join("|", set);
    }

    private static String inotify(String fdinfo) {
        long watches = fdinfo.lines().filter(l -> l.startsWith("inotify wd:")).count();
        return "inotify, " + watches + (watches == 1 ? " watch" : " watches");
    }

    private static String ring(String mask) {
        return mask.equals("?") ? "?" : String.valueOf(Long.decode(mask) + 1);
    }
}
