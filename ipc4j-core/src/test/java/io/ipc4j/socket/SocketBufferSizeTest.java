package io.ipc4j.socket;

import io.ipc4j.ErrnoException;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SO_SNDBUF and SO_RCVBUF: what is asked, what the kernel reports, and what a send buffer bounds. */
class SocketBufferSizeTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    /** Sizes below every distribution's default cap (net.core.wmem_max and rmem_max are 212992 or more). */
    @Test
    void theKernelReportsTwiceWhatWasAsked() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            pair.first().setSendBufferSize(50_000);
            pair.first().setReceiveBufferSize(60_000);
            assertEquals(100_000, pair.first().sendBufferSize());
            assertEquals(120_000, pair.first().receiveBufferSize());
        }
    }

    /** A Unix datagram larger than the send buffer is refused; raising the buffer lets it through whole. */
    @Test
    void theSendBufferBoundsTheLargestUnixDatagram() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            byte[] bytes = new byte[40_000];
            Arrays.fill(bytes, (byte) 7);
            bytes[39_999] = 9;
            pair.first().setSendBufferSize(10_000);
            ErrnoException refused = assertThrows(ErrnoException.class,
                    () -> pair.first().send(ByteBuffer.wrap(bytes)));
            assertEquals("EMSGSIZE", refused.errnoName());
            assertTrue(refused.getMessage().contains("SO_SNDBUF"), refused.getMessage());
            pair.first().setSendBufferSize(64_000);
            pair.first().send(ByteBuffer.wrap(bytes));
            ByteBuffer into = ByteBuffer.allocate(50_000);
            assertEquals(40_000, pair.second().receive(into));
            assertArrayEquals(bytes, Arrays.copyOf(into.array(), into.position()));
        }
    }

    @Test
    void aSizeBelowOneIsRefusedWithWhatToDo() throws Exception {
        try (SocketPair<DatagramSocket> pair = DatagramSocket.pair()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pair.first().setSendBufferSize(0));
            assertEquals("SO_SNDBUF of 0 bytes: ask for 1 or more (Linux raises small requests to its minimum and "
                    + "caps large ones at net.core.wmem_max)", e.getMessage());
        }
    }
}
