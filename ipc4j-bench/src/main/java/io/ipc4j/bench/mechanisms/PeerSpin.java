package io.ipc4j.bench.mechanisms;

import java.io.IOException;
import java.util.Optional;

/**
 * What the mechanisms that spin share: they need a CPU for each side, and the reference rows (Agrona's ring,
 * Aeron) wait with a spin hint per turn and an error once the peer has said nothing for 60 s, so that a dead
 * peer ends the run instead of hanging it.
 */
final class PeerSpin {
    private static final long PEER_TIMEOUT_NANOS = 60_000_000_000L;

    private PeerSpin() {
    }

    /** Why a mechanism whose sides spin cannot run here, or empty: it needs a CPU for each side. */
    static Optional<String> unavailableOnOneCpu() {
        return Runtime.getRuntime().availableProcessors() < 2
                ? Optional.of("spinning needs a CPU for each side; this process may use only one") : Optional.empty();
    }

    /**
     * One turn of the wait.
     *
     * @param start what the previous turn returned, 0 on the first
     * @return the wait's start, to pass to the next turn
     * @throws IOException once 60 s have passed since the first turn
     */
    static long turn(long start) throws IOException {
        Thread.onSpinWait();
        long now = System.nanoTime();
        if (start == 0) {
            return now;
        }
        if (now - start > PEER_TIMEOUT_NANOS) {
            throw new IOException("the peer did not answer within 60 s");
        }
        return start;
    }
}
