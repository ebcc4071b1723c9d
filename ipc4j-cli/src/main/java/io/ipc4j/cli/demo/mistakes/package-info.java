/**
 * {@code ipc4j demo mistakes}: the textbook's common IPC mistakes, each run wrong then right, with the
 * evidence. Main thread; each mistake blocks until its processes are done and removes what it made.
 */
package io.ipc4j.cli.demo.mistakes;
