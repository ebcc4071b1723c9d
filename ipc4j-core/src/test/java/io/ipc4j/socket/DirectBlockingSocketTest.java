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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A platform thread's call without a timeout on a socket ipc4j made blocks in the kernel in one call: recv(2) or
 * send(2) itself (its kernel wait is the socket's own, not poll), except a Unix stream socket's read, which
 * waits in one poll(2) without a timeout (see StreamSocket); a close or an interrupt from another thread still
 * ends it.
 */
class DirectBlockingSocketTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /** Where a blocked datagram or seqpacket receive sleeps: the datagram queue's wait (not poll). */
    private static final String RECEIVE_WAIT = "__skb_wait_for_more_packets";
    /** Where a Unix stream socket's untimed read waits: poll's sleep (a sliced wait would sleep there too). */
    private static final String POLL_WAIT = "do_poll|do_sys_poll|poll_schedule_timeout";
    /** Where a blocked send on a full Unix socket sleeps: waiting for send buffer memory. */
    private static final String SEND_WAIT = "sock_alloc_send_pskb";
    /** Where a blocked TCP receive sleeps (sk_wait_data's wait). */
    private static final String TCP_RECEIVE_WAIT = "wait_woken";

    @Test
    void anUntimedUnixStreamReadWaitsInPollWithoutATimeoutAndACloseEndsIt() throws Exception {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            BlockedCall reader = BlockedCall.start(POLL_WAIT, () -> pair.first().read(ByteBuffer.allocate(16)));
            assertPollWithoutTimeout(reader.syscall());
            pair.first().close();
            assertInstanceOf(AsynchronousCloseException.class, reader.failure());
        }
    }

    @Test
    void anUntimedUnixStreamReadReturnsWhatThePeerWritesAndAnInterruptLosesNothing() throws Exception {
        try (SocketPair<StreamSocket> pair = StreamSocket.pair()) {
            BlockedCall interrupted = BlockedCall.start(POLL_WAIT, () -> pair.first().read(ByteBuffer.allocate(16)));
            interrupted.thread().interrupt();
            assertInstanceOf(InterruptedIOException.class, interrupted.failure());
            ByteBuffer into = ByteBuffer.allocate(64);
            BlockedCall reader = BlockedCall.start(POLL_WAIT, () -> pair.first().read(into));
            pair.second().write(ByteBuffer.wrap("sent while it waited".getBytes()));
            assertEquals(20, reader.result());
            assertEquals("sent while it waited", new String(into.array(), 0, 20));
        }
    }

    /** A thread in poll(2) (x86-64, timeout -1) or ppoll(2) (aarch64, no timespec) waits without a timeout. */
    private static void assertPollWithoutTimeout(String[] syscall) {
        String call = String.join(" ", syscall);
        boolean poll = syscall[0].equals("7") && syscall[3].matches("0x(ffffffff)?ffffffff"); // an int's -1
        boolean ppoll = syscall[0].equals("73") && syscall[3].equals("0x0");
        assertTrue(poll || ppoll, "not a poll without a timeout: " + call);
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
