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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages received in one call into a buffer they may overflow (see SpillReceiver): one that fits arrives as
 * before; one that does not is kept whole, with its source, and the next receive with room enough returns it,
 * before anything sent after it, whichever way that receive waits.
 */
class SpillReceiveTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aUnixDatagramLongerThanTheBufferIsKeptWholeAndComesFirst() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            byte[] longOne = bytes(150_000, 1);
            byte[] after = bytes(64, 2);
            pair.first().send(ByteBuffer.wrap(longOne));
            pair.first().send(ByteBuffer.wrap(after));
            ByteBuffer small = ByteBuffer.allocateDirect(1_000);
            MessageTooLongException first = assertThrows(MessageTooLongException.class,
                    () -> pair.second().receive(small)); // untimed: the direct blocking call
            assertEquals(150_000, first.messageLength());
            assertEquals(0, small.position(), "the buffer's position is left as it was");
            assertTrue(first.getMessage().contains("it is kept: call again with a buffer of at least 150000 bytes"),
                    first.getMessage());
            MessageTooLongException again = assertThrows(MessageTooLongException.class,
                    () -> pair.second().receiveNow(small.clear()));
            assertEquals(150_000, again.messageLength(), "still kept, and nothing else taken meanwhile");
            ByteBuffer heap = ByteBuffer.allocate(200_000);
            assertReceived(longOne, heap, pair.second().receive(heap, WAIT));
            assertReceived(after, small, pair.second().receive(small.clear(), WAIT));
            assertEquals(-1, pair.second().receiveNow(small.clear()));
        }
    }

    @Test
    void aKeptUdpDatagramStillTellsItsSource() throws Exception {
        try (DatagramSocket sender = DatagramSocket.bind(InetEndpoint.loopback(0));
             DatagramSocket receiver = DatagramSocket.bind(InetEndpoint.loopback(0))) {
            byte[] datagram = bytes(65_507, 3);
            sender.sendTo(ByteBuffer.wrap(datagram), receiver.localEndpoint().orElseThrow());
            ByteBuffer small = ByteBuffer.allocate(100);
            assertEquals(65_507, assertThrows(MessageTooLongException.class,
                    () -> receiver.receive(small, WAIT)).messageLength());
            ByteBuffer into = ByteBuffer.allocateDirect(65_507);
            Endpoint from = receiver.receiveFrom(into, WAIT).orElseThrow();
            assertEquals(sender.localEndpoint().orElseThrow(), from, "the kept datagram's source, asked for later");
            assertReceived(datagram, into, into.position());
        }
    }

    @Test
    void aSeqpacketMessageIsKeptAcrossTheEndOfStream() throws Exception {
        try (SocketPair<SeqpacketSocket> pair = SeqpacketSocket.pair()) {
            byte[] message = bytes(5_000, 4);
            byte[] fits = bytes(4_999, 5);
            pair.first().send(ByteBuffer.wrap(fits));
            pair.first().send(ByteBuffer.wrap(message));
            pair.first().close();
            ByteBuffer into = ByteBuffer.allocateDirect(4_999);
            assertReceived(fits, into, pair.second().receive(into, WAIT));
            assertEquals(5_000, assertThrows(MessageTooLongException.class,
                    () -> pair.second().receive(into.clear(), WAIT)).messageLength());
            ByteBuffer big = ByteBuffer.allocate(5_000);
            assertReceived(message, big, pair.second().receiveNow(big));
            assertEquals(-1, pair.second().receive(into.clear(), WAIT), "then the end of stream");
        }
    }
}
