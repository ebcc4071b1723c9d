/**
 * Facts read from /proc (not exported): a process's start time (to tell a live process from one that
 * reused its pid) and kernel settings. Thread-safe; each call reads a file, never waits.
 */
package io.ipc4j.internal.proc;
