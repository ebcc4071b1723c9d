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

    /** setpriv (util-linux) as the user nobody; skips the test where setpriv is missing. */
    static String[] asNobody() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        return new String[] {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    }
}
