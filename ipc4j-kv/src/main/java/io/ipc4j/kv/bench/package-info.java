/**
 * ipc4j-kv's own benchmark step: redis-benchmark against a server on a Unix socket, with the server's CPU
 * time per request, for ipc4j-kv and redis-server alike ({@code ipc4j kv bench} runs it). One thread; each run
 * blocks until redis-benchmark ends.
 */
package io.ipc4j.kv.bench;
