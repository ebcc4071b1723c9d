package io.ipc4j.socket;

/**
 * Where a socket is bound or connects: a Unix domain address ({@link UnixEndpoint}: a path or a Linux abstract
 * name) or an IP address and port ({@link InetEndpoint}). The socket classes take either, so changing the
 * transport of a program is changing the one line that makes its endpoint.
 */
public sealed interface Endpoint permits UnixEndpoint, InetEndpoint {
}
