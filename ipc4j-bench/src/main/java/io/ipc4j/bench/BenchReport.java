package io.ipc4j.bench;

import java.util.List;

/**
 * A whole run: where, when, with what settings, and every row.
 *
 * @param date       ISO-8601 UTC.
 * @param machine    CPU model, CPU count, kernel.
 * @param java       the Java runtime.
 * @param cReference the C compiler used, or why there is no C column.
 * @param config     the settings.
 * @param rows       every mechanism and size, measured or not (with the reason).
 */
public record BenchReport(String date, String machine, String java, String cReference, BenchConfig config,
                          List<Results.Row> rows) {
}
