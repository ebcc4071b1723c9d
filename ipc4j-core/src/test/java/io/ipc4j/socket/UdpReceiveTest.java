package io.ipc4j.socket;

import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Duration;

import static io.ipc4j.socket.ReceivedBytes.assertReceived;
import static io.ipc4j.socket.ReceivedBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * UDP receives: into a buffer of 64 KiB or more no datagram can be cut, so the receive is one call (no peek at
 * the length first); into a shorter one, a datagram that does not fit stays queued, as on every socket.
 */
class UdpReceiveTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void datagramsOfEverySizeArriveWholeAndOneAtATimeInA64KiBBuffer() throws Exception {
        try (DatagramSocket sender = DatagramSocket.bind(InetEndpoint.loopback(0));
             DatagramSocket receiver = DatagramSocket.bind(InetEndpoint.loopback(0))) {
            Endpoint to = receiver.localEndpoint().orElseThrow();
            byte[][] sent = {bytes(0, 1), bytes(1, 2), bytes(1_000, 3), bytes(65_507, 4), bytes(4_096, 5)};
            for (byte[] datagram : sent) {
                sender.sendTo(ByteBuffer.wrap(datagram), to);
            }
            ByteBuffer into = ByteBuffer.allocateDirect(65_536);
            assertEquals(0, receiver.receive(into.clear())); // untimed: one blocking call
            Endpoint from = receiver.receiveFrom(into.clear(), WAIT).orElseThrow();
            assertEquals(sender.localEndpoint().orElseThrow(), from, "the source is told");
            assertReceived(sent[1], into, into.position());
            assertReceived(sent[2], into, receiver.receiveNow(into.clear()));
            ByteBuffer heap = ByteBuffer.allocate(70_000);
            assertReceived(sent[3], heap, receiver.receive(heap.clear(), WAIT));
            assertReceived(sent[4], into, receiver.receive(into.clear()));
            assertEquals(-1, receiver.receiveNow(into.clear()), "each receive took one datagram");
        }
    }

    @Test
    void aDatagramTooLongForAShortBufferStaysQueued() throws Exception {
        try (DatagramSocket sender = DatagramSocket.bind(InetEndpoint.loopback(0));
             DatagramSocket receiver = DatagramSocket.bind(InetEndpoint.loopback(0))) {
            byte[] datagram = bytes(2_000, 6);
            sender.sendTo(ByteBuffer.wrap(datagram), receiver.localEndpoint().orElseThrow());
            MessageTooLongException e = assertThrows(MessageTooLongException.class,
                    () -> receiver.receive(ByteBuffer.allocate(1_000), WAIT));
            assertEquals(2_000, e.messageLength());
            ByteBuffer into = ByteBuffer.allocate(65_536);
            assertReceived(datagram, into, receiver.receive(into, WAIT));
        }
    }
}
