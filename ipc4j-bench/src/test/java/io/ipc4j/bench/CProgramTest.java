package io.ipc4j.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Running a C program: its output whole, its failure as an IOException that carries the exit status and both
 * output streams, a program past its time limit killed, and no output file left behind either way.
 */
class CProgramTest {
    private static final CProgram PROBE = CProgram.prepare(CProgramTest.class, "c_program_probe.c", "the probe");

    @Test
    void aProgramThatSucceedsGivesItsOutput() throws IOException {
        long before = outputFiles();
        assertEquals("latency 1 2 3\n", PROBE.run(List.of("latency", "1", "2", "3"), Duration.ofSeconds(30)));
        assertEquals(before, outputFiles(), "the output file is removed");
    }

    @Test
    void aProgramThatFailsSaysHowWithEverythingItWrote() {
        long before = outputFiles();
        IOException e = assertThrows(IOException.class, () -> PROBE.run(List.of("fail", "3"), Duration.ofSeconds(30)));
        assertTrue(e.getMessage().startsWith("c_program_probe-"), e.getMessage());
        assertTrue(e.getMessage().endsWith(" fail ended with exit 3: to stdout\nto stderr"), e.getMessage());
        assertEquals(before, outputFiles());
    }

    @Test
    void aProgramPastItsTimeIsKilledAndSaysSo() throws Exception {
        long before = outputFiles();
        IOException e = assertThrows(IOException.class, () -> PROBE.run(List.of("sleep"), Duration.ofMillis(500)));
        assertTrue(e.getMessage().contains(" sleep took longer than PT0.5S: pid "), e.getMessage());
        long pid = Long.parseLong(e.getMessage().replaceFirst("(?s).*: pid ", "").strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the program was killed");
        assertEquals(before, outputFiles());
    }

    private static long outputFiles() {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("ipc4j-c-program-")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
