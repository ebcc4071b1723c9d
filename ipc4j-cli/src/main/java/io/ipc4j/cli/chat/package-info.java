/**
 * {@code ipc4j chat}: serve, join, and load (the app's load test against Redis, with the servers started
 * and the rounds alternated here). Main thread; serve blocks until a signal stops it.
 */
package io.ipc4j.cli.chat;
