/**
 * {@code ipc4j mq}: POSIX and System V queues from the command line (create, send, receive, stat, remove). Main
 * thread; send and receive block at most their --timeout.
 */
package io.ipc4j.cli.mq;
