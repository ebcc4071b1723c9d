/**
 * ipc4j-kv: a Redis-protocol key-value server on a Unix socket, on ipc4j's own event loop and sockets; the
 * transport ({@link io.ipc4j.kv.KvServer}) apart from the commands (a class per family), the database and its
 * value types, the append-only log and RDB snapshots ({@link io.ipc4j.kv.Persistence}). One loop thread serves
 * every client; start, shutdown and close may be called from any thread; shutdown waits at most 5 s.
 */
package io.ipc4j.kv;
