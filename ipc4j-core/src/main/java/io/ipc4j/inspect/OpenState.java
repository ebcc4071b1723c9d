package io.ipc4j.inspect;

import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Platform;

import java.util.ArrayList;
import java.util.List;

/** An open file's access mode, flags and position, from the "pos:" and "flags:" lines of /proc/PID/fdinfo/FD. */
record OpenState(String flags, long position) {
    private static final int O_ACCMODE = 03;
    private static final int O_APPEND = 02000;
    private static final int O_DIRECT = Platform.tables().oDirect; // 040000 on x86-64, 0200000 on aarch64

    /** From an fdinfo text; empty flags and position -1 if it had none (the descriptor closed meanwhile). */
    static OpenState parse(String fdinfo) {
        String flags = "";
        long position = -1;
        for (String line : fdinfo.lines().toList()) {
            if (line.startsWith("pos:")) {
                position = Long.parseLong(line.substring(4).strip());
            } else if (line.startsWith("flags:")) {
                flags = describe(Integer.parseInt(line.substring(6).strip(), 8));
            }
        }
        return new OpenState(flags, position);
    }

    static String describe(int flags) {
        List<String> words = new ArrayList<>();
        words.add(switch (flags & O_ACCMODE) {
            case 0 -> "read";
            case 1 -> "write";
            default -> "read-write";
        });
        if ((flags & O_APPEND) != 0) {
            words.add("append");
        }
        if ((flags & FileCalls.O_NONBLOCK) != 0) {
            words.add("nonblock");
        }
        if ((flags & O_DIRECT) != 0) {
            words.add("direct");
        }
        if ((flags & FileCalls.O_CLOEXEC) != 0) {
            words.add("cloexec");
        }
        return String.join(" ", words);
    }
}
