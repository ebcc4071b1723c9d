package io.ipc4j.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The measured exchange checks every echo whole: one damaged byte anywhere in a message fails the run. */
class ExchangeTest {
    /** Echoes what was sent, with the byte at {@code damaged} changed in round trip {@code damagedRound}. */
    private static final class DamagingEcho implements Endpoint {
        private final int damaged;
        private final int damagedRound;
        private ByteBuffer last;
        private int round;

        DamagingEcho(int damaged, int damagedRound) {
            this.damaged = damaged;
            this.damagedRound = damagedRound;
        }

        @Override
        public void send(ByteBuffer message) {
            last = ByteBuffer.allocate(message.remaining()).put(message).flip();
        }

        @Override
        public void receive(ByteBuffer into) {
            ByteBuffer echo = last.duplicate();
            if (round++ == damagedRound) {
                echo.put(damaged, (byte) (echo.get(damaged) + 1));
            }
            into.put(echo);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aDamagedLastByteInTheTenthRoundTripFailsTheRun() {
        Plan plan = new Plan(List.of(4096), 0, 20, 0, 0, false);
        IOException e = assertThrows(IOException.class, () -> Exchange.parent(new DamagingEcho(4095, 9), plan, 4096));
        assertEquals("the echo of round trip 9 differs from the 4096-byte message sent, first at byte 4095: the"
                + " mechanism lost, reordered or damaged bytes", e.getMessage());
    }

    @Test
    void aFaithfulEchoPasses() throws IOException {
        Plan plan = new Plan(List.of(64), 0, 20, 0, 0, false);
        assertEquals(20, Exchange.parent(new DamagingEcho(0, -1), plan, 64).latency().count());
    }
}
