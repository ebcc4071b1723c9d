/**
 * One benchmark mechanism per IPC kind (and the reference rows: the JDK's channels, Agrona): each opens a
 * session with a child process and gives both sides an endpoint. Each endpoint belongs to one thread; sends and
 * receives block with the bench's timeouts.
 */
package io.ipc4j.bench.mechanisms;
