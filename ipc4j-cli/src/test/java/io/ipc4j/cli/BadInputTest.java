package io.ipc4j.cli;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * #16.10 and #16.13: every option is checked before a command starts, and a bad value or address is one line
 * that names it, the problem and what is allowed. Run in this JVM: each case fails before any IPC is made.
 */
class BadInputTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private record Outcome(int status, String err) {
    }

    private static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Ipc4j.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new Outcome(status, err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bench --iterations=-5|--iterations|-5 is out of range: give a whole number from 1 to 2,147,483,647|bench",
        "bench --iterations=0|--iterations|0 is out of range: give a whole number from 1 to 2,147,483,647|bench",
        "bench --warmup=-1|--warmup|-1 is out of range: give a whole number from 0 to 2,147,483,647|bench",
        "bench --sizes=64,0|--sizes' (BYTES|0 is out of range: give a whole number from 1 to 16,777,216|bench",
        "kv serve --maxmemory=-5|--maxmemory|'-5' is not a size: give bytes as a whole number of 0 or more, or with k,"
            + " m or g (e.g. 512m, 2g)|kv serve",
        "kv serve --maxmemory=1z|--maxmemory|'1z' is not a size: give bytes as a whole number of 0 or more, or with k,"
            + " m or g (e.g. 512m, 2g)|kv serve",
        "kv serve --mode=999|--mode|'999' is not a file mode: give octal digits as chmod takes them, from 0 to 777"
            + " (e.g. 600, or 660 to let the group in)|kv serve",
        "kv serve --busy-poll=-1|--busy-poll|-1 is out of range: give a whole number from 0 to 1,000,000|kv serve",
        "kv serve --threads=100000|--threads|100000 is out of range: give a whole number from 1 to 256|kv serve",
        "chat serve --rate=-1|--rate|'-1' is not a rate: give a number of 0 (no limit) or more per second|chat serve",
        "mq receive /q --count=-1|--count|-1 is out of range: give a whole number from 1 to 2,147,483,647|mq receive",
        "demo shm --messages=x|--messages|'x' is not a whole number: give one from 1 to 2,147,483,647|demo shm"})
    void aValueOutOfRangeIsOneLineNamingTheOptionAndTheRange(String command, String option, String problem,
                                                             String name) {
        Outcome o = run(command.split(" "));
        assertEquals(2, o.status(), o.err());
        assertEquals("ipc4j: Invalid value for option '" + option + (option.contains("(") ? "): " : "': ") + problem + " (see ipc4j " + name
                + " --help)\n", o.err());
    }

    @Test
    void addressesAndPathsSayWhatIsWrongAndWhatToDo() throws Exception {
        assertEquals("ipc4j: 'notanumber' is not a System V key: write hexadecimal such as 0x1234abcd, a decimal"
                + " number, or private\n", run("mq", "send", "sysv:notanumber", "hi").err());
        assertEquals("ipc4j: 'sysv-id:x1': 'x1' is not an id: give a whole number from 0 to 2147483647\n",
                run("mq", "send", "sysv-id:x1", "hi").err());
        assertEquals("ipc4j: msgctl(IPC_STAT)(System V queue id 2147483000) failed: EINVAL (Invalid argument): no"
                + " queue has this id now: ipc4j ipcs lists the queues there are\n",
                run("mq", "send", "sysv-id:2147483000", "hi").err(), "an id that never existed is not 'removed'");

        Path missing = LEAKS.scratch().resolve("missing/deeper");
        Outcome socket = run("kv", "serve", "--socket", missing.resolve("kv.sock").toString());
        assertEquals("ipc4j: bind(" + missing.resolve("kv.sock") + ") failed: ENOENT (No such file or directory): the"
                + " directory " + missing + " does not exist; create it, or choose another path\n", socket.err());

        Outcome out = run("bench", "--only", "pipe", "--out", missing.resolve("x").toString());
        assertEquals(1, out.status());
        assertEquals("ipc4j: --out " + missing.resolve("x") + ": its parent " + missing + " does not exist. Create it"
                + " first (mkdir -p " + missing + "); only the results folder itself is created\n", out.err());
        assertFalse(Files.exists(missing.getParent()), "no directory tree was made");

        Path file = LEAKS.scratch().resolve("a-file");
        Files.writeString(file, "x");
        try {
            assertEquals("ipc4j: --out " + file + " is a file, not a folder: give a folder for the results (it is"
                    + " created if its parent exists)\n", run("bench", "--out", file.toString()).err());
            assertEquals("ipc4j: --compare " + missing + ": no such file. Give the bench.json of an earlier run, or"
                    + " results/latest.json (written by every run)\n",
                    run("bench", "--compare", missing.toString()).err());
            assertEquals("ipc4j: " + file + " is not a bench.json written by ipc4j bench: give the bench.json of an"
                    + " earlier run, or the latest.json beside its folder\n",
                    run("bench", "--out", LEAKS.scratch().toString(), "--compare", file.toString()).err());
        } finally {
            Files.delete(file);
        }
    }
}
