package io.ipc4j.socket;

import io.ipc4j.testing.BlockedCall;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A platform thread's call without a timeout on a socket ipc4j made blocks in recv(2) or send(2) itself (its
 * kernel wait is the socket's own, not poll), and a close or an interrupt from another thread still ends it.
 */
class DirectBlockingSocketTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /** Where a blocked receive sleeps: a Unix stream socket's read, or the datagram queue's wait (not poll). */
    private static final String RECEIVE_WAIT = "unix_stream_read_generic|__skb_wait_for_more_packets";
    /** Where a blocked send on a full Unix socket sleeps: waiting for send buffer memory. */
    private static final String SEND_WAIT = "sock_alloc_send_pskb";
    /** Where a blocked TCP receive sleeps (sk_wait_data's wait). */
    private static final String TCP_RECEIVE_WAIT = "wait_woken";

    @Test
    void anUntimedStreamReadSleepsInRecvAndACloseEndsIt() throws Exception {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            BlockedCall reader = BlockedCall.start(RECEIVE_WAIT, () -> pair.first().read(ByteBuffer.allocate(16)));
            pair.first().close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }

    @Test
    void anUntimedStreamWriteToAFullSocketSleepsInSendAndACloseEndsIt() throws Exception {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            BlockedCall writer = BlockedCall.start(SEND_WAIT, () -> pair.first().write(ByteBuffer.allocateDirect(8 << 20)));
            pair.first().close();
            assertInstanceOf(AsynchronousCloseException.class, writer.failure());
        }
    }

    @Test
    void anUntimedDatagramReceiveReturnsTheWholeMessageAnotherThreadSends() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            ByteBuffer into = ByteBuffer.allocate(64);
            BlockedCall receiver = BlockedCall.start(RECEIVE_WAIT, () -> pair.first().receive(into));
            pair.second().send(ByteBuffer.wrap("one datagram".getBytes()));
            assertEquals(12, receiver.result());
            assertEquals("one datagram", new String(into.array(), 0, 12));
        }
    }

    @Test
    void anInterruptEndsAnUntimedSeqpacketReceiveAndLosesNothing() throws Exception {
        try (SocketPair<SeqpacketSocket> pair = SeqpacketSocket.pair()) {
            BlockedCall receiver = BlockedCall.start(RECEIVE_WAIT, () -> pair.first().receive(ByteBuffer.allocate(8)));
            receiver.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, receiver.failure());
            pair.second().send(ByteBuffer.wrap(new byte[] {7, 8, 9}));
            ByteBuffer into = ByteBuffer.allocate(8);
            assertEquals(3, pair.first().receive(into, Duration.ofSeconds(10)));
            assertEquals(9, into.get(2));
        }
    }

    @Test
    @SuppressWarnings("try") // closing the accepted socket early is the test
    void anUntimedTcpReadSleepsInRecvAndACloseEndsIt() throws Exception {
        try (SocketServer<StreamSocket> server = SocketServer.stream(InetEndpoint.loopback(0));
             StreamSocket client = StreamSocket.connect(server.endpoint());
             StreamSocket accepted = server.accept(Duration.ofSeconds(10))) {
            BlockedCall reader = BlockedCall.start(TCP_RECEIVE_WAIT, () -> accepted.read(ByteBuffer.allocate(16)));
            accepted.close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }
}
