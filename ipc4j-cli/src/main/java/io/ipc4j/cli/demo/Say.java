package io.ipc4j.cli.demo;

import io.ipc4j.process.Spawn;

/** Demo output: each line says which process is speaking. */
final class Say {
    private Say() {
    }

    static void parent(String format, Object... args) {
        line("parent", format, args);
    }

    static void child(String format, Object... args) {
        line("child ", format, args);
    }

    private static void line(String who, String format, Object... args) {
        // One write per line: parent and child share the terminal, and whole lines do not interleave.
        System.out.print(String.format("%s[%d] %s%n", who, Spawn.currentPid(), String.format(format, args)));
        System.out.flush();
    }
}
