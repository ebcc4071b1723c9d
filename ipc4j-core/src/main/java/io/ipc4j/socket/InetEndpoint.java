package io.ipc4j.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address and port, for TCP ({@link StreamSocket}, {@link SocketServer}) and UDP
 * ({@link DatagramSocket}). Port 0 when binding asks the kernel for a free one;
 * {@link SocketServer#endpoint()} then tells which.
 *
 * @param address the address
 * @param port the port
 */
public record InetEndpoint(InetAddress address, int port) implements Endpoint {
    /** Checks the port (0 to 65535) and the address. */
    public InetEndpoint {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
    }

    /**
     * 127.0.0.1:{@code port}.
     *
     * @param port the port
     * @return the endpoint 127.0.0.1:{@code port}
     */
    public static InetEndpoint loopback(int port) {
        return new InetEndpoint(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * The JDK's form of the same address.
     *
     * @return the JDK's form of the same address
     */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        return address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]:" + port
                : address.getHostAddress() + ":" + port;
    }
}
