package io.ipc4j.pipe;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pipelines of real programs, connected by anonymous pipes with no shell. */
class PipelineTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void theTextbookPipelineCountsJavaFiles() throws Exception {
        Path dir = LEAKS.scratch();
        for (String name : List.of("A.java", "B.java", "notes.txt", "C.java")) {
            Files.writeString(dir.resolve(name), name);
        }
        try {
            Pipeline.Result result = Pipeline.parse("ls | grep .java | wc -l").directory(dir).run(LIMIT);
            assertEquals("3", result.stdoutText().strip());
            assertTrue(result.succeeded());
            assertEquals(List.of(List.of("ls"), List.of("grep", ".java"), List.of("wc", "-l")),
                    result.stages().stream().map(Pipeline.Stage::command).toList());
        } finally {
            for (String name : List.of("A.java", "B.java", "notes.txt", "C.java")) {
                Files.delete(dir.resolve(name));
            }
        }
    }

    @Test
    void eachStagesExitCodeAndStderrAreKept() throws Exception {
        Pipeline.Result result = Pipeline.parse("ls /no/such/dir | wc -l").run(LIMIT);
        assertFalse(result.succeeded());
        assertEquals(2, result.stages().get(0).status().code());
        assertTrue(result.stages().get(0).stderr().contains("No such file or directory"),
                result.stages().get(0).stderr());
        assertEquals(0, result.stages().get(1).status().code());
        assertEquals("", result.stages().get(1).stderr());
        assertEquals("0", result.stdoutText().strip());
    }

    @Test
    void inputFeedsTheFirstStageAndQuotesAreWords() throws Exception {
        byte[] input = "b x\na y\nb z\n".getBytes(StandardCharsets.UTF_8);
        Pipeline.Result result = Pipeline.parse("grep '^b ' | sort -r | tr -d \"\\n \"").input(input).run(LIMIT);
        assertEquals("bzbx", result.stdoutText());
    }

    @Test
    void aLargeStreamPassesThroughEveryStage() throws Exception {
        byte[] input = new byte[8 << 20];
        new java.util.Random(7).nextBytes(input);
        Pipeline.Result result = Pipeline.of(List.of("cat"), List.of("cat"), List.of("wc", "-c")).input(input)
                .run(LIMIT);
        assertEquals(String.valueOf(input.length), result.stdoutText().strip());
    }

    @Test
    void aPipelineThatOverrunsItsTimeoutIsKilled() {
        IpcTimeoutException e = assertThrows(IpcTimeoutException.class,
                () -> Pipeline.parse("sleep 30 | cat").run(Duration.ofMillis(300)));
        assertEquals("pipeline sleep 30 | cat: timed out after 300 ms", e.getMessage());
    }

    @Test
    void parsingRejectsEmptyCommandsAndOpenQuotes() {
        assertEquals("empty command in pipeline: ls | | wc",
                assertThrows(IllegalArgumentException.class, () -> Pipeline.parse("ls | | wc")).getMessage());
        assertEquals("unclosed ' quote in: echo 'x",
                assertThrows(IllegalArgumentException.class, () -> Pipeline.parse("echo 'x")).getMessage());
    }
}
