/**
 * {@code ipc4j kv}: serve, and bench (the app's redis-benchmark step against redis-server, with the servers
 * started and the rounds alternated here). Main thread; serve blocks until a signal stops it.
 */
package io.ipc4j.cli.kv;
