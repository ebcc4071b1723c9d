/**
 * The echo benchmark: one echo server over a Unix stream socket on ipc4j's loop, on netty's epoll transport
 * and on the JDK's Selector, driven by the same client. A run blocks for its length; each server runs in a
 * child process on one thread.
 */
package io.ipc4j.bench.echo;
