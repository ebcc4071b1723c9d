/**
 * {@code ipc4j bench} and its variants: options to a bench configuration, progress and the report on the
 * terminal. Main thread; blocks for the run.
 */
package io.ipc4j.cli.bench;
