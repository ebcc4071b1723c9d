/**
 * Sockets: Unix stream, datagram and seqpacket (paths and abstract names), TCP and UDP, servers, descriptor
 * passing, peer credentials and pidfds, sealed memory. Thread-safe (sends serialised, receives serialised);
 * every blocking call has a timeout form; a virtual thread parks, and a close from another thread ends a wait.
 */
package io.ipc4j.socket;
