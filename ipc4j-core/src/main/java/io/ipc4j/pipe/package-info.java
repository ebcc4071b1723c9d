/**
 * Anonymous pipes, FIFOs and pipelines of child processes, with streams over their ends. Each end is
 * thread-safe (reads serialised, writes serialised); every blocking call has a timeout form; a platform thread
 * waits in poll, a virtual thread parks, and a close from another thread ends a wait at once.
 */
package io.ipc4j.pipe;
