/**
 * The benchmark: every mechanism measured between two real processes, next to a C program doing the same
 * exchange; configuration, the measured exchange, reports, charts and paired comparisons. Single-threaded
 * orchestration; a run blocks for its length and cleans up every kernel object it made.
 */
package io.ipc4j.bench;
