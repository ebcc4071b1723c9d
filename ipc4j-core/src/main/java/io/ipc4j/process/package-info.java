/**
 * Child processes: spawning with descriptors to inherit, waiting for exit through a pidfd, signalling the
 * right process, CPU affinity. Thread-safe; waits have timeouts, and a virtual thread waiting for an exit
 * parks; closing a child that still runs kills and reaps it.
 */
package io.ipc4j.process;
