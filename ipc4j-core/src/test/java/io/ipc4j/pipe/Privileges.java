package io.ipc4j.pipe;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Running a child without root's power to ignore permissions. */
final class Privileges {
    private Privileges() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Skips the test where util-linux's setpriv, needed to run a child as nobody, is missing. */
    static void assumeSetpriv() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
    }
}
