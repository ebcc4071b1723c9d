/**
 * {@code ipc4j demo MECHANISM}: each mechanism shown running between real processes, as the textbook
 * teaches it. Main thread; each demo blocks until its processes are done and removes what it made.
 */
package io.ipc4j.cli.demo;
