/**
 * Waiting without native calls (not exported): {@link io.ipc4j.internal.wait.Deadline}, the one deadline
 * value every timed call makes once and passes down, and {@link io.ipc4j.internal.wait.Backoff}, spin, yield and
 * park for retry loops. Deadlines are immutable values; a Backoff belongs to one wait of one thread.
 */
package io.ipc4j.internal.wait;
