package io.ipc4j.bench;

import io.ipc4j.bench.mechanisms.Mechanisms;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every mechanism runs a few hundred round trips between two real processes; the results are checked for
 * shape and sanity, never for speed.
 */
class BenchTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final int ITERATIONS = 300;
    /** Java and C alternate in rounds, as in the default run; each row's counts are the rounds' sums. */
    private static final int ROUNDS = 2;
    private static BenchReport report;

    @BeforeAll
    static void runTheSuiteSmall() throws Exception {
        BenchConfig config = BenchConfig.defaults().withSizes(List.of(64, 16384)).withIterations(50, ITERATIONS)
                .withStream(1 << 20, 2_000).withRounds(ROUNDS);
        report = Bench.run(config, (done, total, label) -> { });
    }

    @Test
    void everyMechanismIsReportedMeasuredOrWithAReason() {
        for (Mechanism m : Mechanisms.all()) {
            List<Results.Row> rows = report.rows().stream().filter(r -> r.mechanism().equals(m.id())
                    && r.implementation().equals("ipc4j")).toList();
            assertFalse(rows.isEmpty(), m.id() + " is missing from the report");
            for (Results.Row r : rows) {
                assertTrue(Set.of("ok", "unavailable", "limit").contains(r.status()), r.toString());
                if (!r.ok()) {
                    assertNotNull(r.note(), r.toString());
                    assertFalse(r.note().isBlank(), r.toString());
                }
            }
            if (m.unavailableBecause().isEmpty()) {
                assertTrue(rows.stream().anyMatch(Results.Row::ok), m.id() + " ran at no size: " + rows);
            }
        }
    }

    @Test
    void measuredRowsAreSane() {
        for (Results.Row r : report.rows()) {
            if (!r.ok()) {
                continue;
            }
            Results.Latency l = r.latency();
            String what = r.mechanism() + " " + r.implementation() + " " + r.size() + ": " + l;
            int scale = Mechanisms.byId(r.mechanism()).orElseThrow().planScale();
            Plan rounds = new Plan(List.of(r.size()), 0, ITERATIONS, 1 << 20, 2_000, true, ROUNDS).scaled(scale);
            long measured = 0;
            for (int round = 0; round < ROUNDS; round++) {
                measured += rounds.round(round).iterationsFor(r.size());
            }
            // a spinning row's 16 KiB takes a quarter of its 64 B round trips (Plan.SCALED_UP_TO)
            assertEquals(scale > 1 && r.size() > Plan.SCALED_UP_TO ? ITERATIONS * scale / 4 : ITERATIONS * scale,
                    measured, what);
            assertEquals(measured, l.count(), what);
            assertTrue(l.p50() > 0, what);
            assertTrue(l.p50() <= l.p90() && l.p90() <= l.p99() && l.p99() <= l.p999() && l.p999() <= l.max(), what);
            Results.Throughput t = r.throughput();
            if (t != null) { // each round streams its share; the row counts them all
                Plan plan = new Plan(List.of(r.size()), 0, 0, 1 << 20, 2_000, true, ROUNDS).scaled(scale);
                long streamed = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    streamed += plan.round(round).streamCount(r.size());
                }
                assertEquals(streamed, t.messages(), what);
                assertTrue(t.nanos() > 0 && t.messagesPerSecond() > 0, what);
            }
        }
    }

    @Test
    void limitsAreReportedNotWorkedAround() {
        Results.Row posix = Report.find(report, "posix-mq", "ipc4j", 16384).orElseThrow();
        assertEquals("limit", posix.status());
        assertTrue(posix.note().startsWith("larger than fs.mqueue.msgsize_max = "), posix.note());
        Results.Row sysv = Report.find(report, "sysv-mq", "ipc4j", 16384).orElseThrow();
        assertEquals("limit", sysv.status());
        assertTrue(sysv.note().startsWith("larger than kernel.msgmax = "), sysv.note());
        Results.Row udp = Report.find(report, "udp", "ipc4j", 64).orElseThrow();
        assertEquals("UDP has no flow control: a stream measures loss, not throughput", udp.note());
    }

    /** Skipped, visibly, where no C compiler is installed; under CI (whose .ci/run installs gcc) it fails. */
    @Test
    void theCReferenceRunsBesideJavaWhereThereIsACompiler() {
        boolean compiled = report.cReference().startsWith("bench_ref.c");
        if (!compiled && "true".equals(System.getenv("CI"))) {
            fail("CI installs gcc, yet the C reference did not run: " + report.cReference());
        }
        Assumptions.assumeTrue(compiled, "no C reference here (" + report.cReference() + "): apt-get install gcc");
        for (String id : CReference.MECHANISMS) {
            boolean spinning = id.equals("mmap-spin") || id.equals("shm-channel-spin");
            if (spinning && Runtime.getRuntime().availableProcessors() < 2) {
                continue;
            }
            boolean noPayload = !io.ipc4j.bench.mechanisms.Mechanisms.byId(id).orElseThrow().carriesPayload();
            int size = noPayload ? 0 : 64;
            Results.Row c = Report.find(report, id, "C", size).orElseThrow(() -> new AssertionError("no C row for " + id));
            assertEquals("ok", c.status(), c.toString());
        }
    }

    /** The rows that are references themselves (the JDK's channels, Agrona's ring, Aeron) are the only ones without C. */
    @Test
    void everyIpc4jMechanismHasACReference() {
        Set<String> references = Set.of("unix-stream-jdk", "tcp-jdk", "udp-jdk", "agrona-ring", "aeron-ipc");
        List<String> withoutC = Mechanisms.all().stream().map(Mechanism::id)
                .filter(id -> !references.contains(id) && !CReference.MECHANISMS.contains(id)).toList();
        assertEquals(List.of(), withoutC);
    }

    @Test
    void theReportIsWrittenAsJsonCsvAndPngAndCompares() throws Exception {
        Path dir = LEAKS.scratch().resolve("results");
        try {
            List<Path> files = Report.write(report, dir);
            assertEquals(List.of("bench.json", "bench.csv", "latency.png"),
                    files.stream().map(p -> p.getFileName().toString()).toList());
            byte[] png = Files.readAllBytes(dir.resolve("latency.png"));
            assertEquals((byte) 0x89, png[0]);
            assertEquals("PNG", new String(png, 1, 3));
            BenchReport back = Report.readJson(dir.resolve("bench.json"));
            assertEquals(report.rows(), back.rows());
            String csv = Files.readString(dir.resolve("bench.csv"));
            assertEquals(report.rows().size() + 1, csv.lines().count());
            assertTrue(Report.compare(report, back).contains("+0%"));
            String table = Report.table(report);
            assertTrue(table.contains("64 B messages") && table.contains("Wake-up primitives (no payload)"), table);
        } finally {
            for (String f : List.of("bench.json", "bench.csv", "latency.png")) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.deleteIfExists(dir);
        }
    }
}
