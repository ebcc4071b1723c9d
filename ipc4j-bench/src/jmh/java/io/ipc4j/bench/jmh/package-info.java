/**
 * JMH benchmarks of ipc4j's hot paths in one process (built with -Pjmh). JMH owns the threads; each state
 * object is used by one benchmark thread.
 */
package io.ipc4j.bench.jmh;
