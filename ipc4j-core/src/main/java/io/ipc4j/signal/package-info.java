/**
 * Signals: names and numbers, sending (queued, with a value), handlers that run as ordinary Java code on one
 * thread, a receiver that reads signals with their senders from a signalfd, and graceful shutdown on INT, TERM
 * and HUP. Thread-safe; receiving waits with a timeout; handlers never run in signal context.
 */
package io.ipc4j.signal;
