package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.shm.SharedBuffer;
import io.ipc4j.sync.Futex;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Ping-pong on two ints in shared memory: a send stores how many messages we have sent in our word
 * (release); a receive waits until the peer's word counts one more message than we have received. Waiting
 * either spins or sleeps on a futex.
 */
final class SharedWordEndpoint implements Endpoint {
    private static final long SPIN_CHECK = 1 << 20;
    private static final long PEER_TIMEOUT_NANOS = Duration.ofSeconds(60).toNanos();

    private final SharedBuffer buffer;
    private final MemorySegment segment;
    private final long mine;
    private final long theirs;
    private final boolean futex;
    private final AutoCloseable resource;
    private int sent;
    private int received;

    SharedWordEndpoint(SharedBuffer buffer, long mine, long theirs, boolean futex, AutoCloseable resource) {
        this.buffer = buffer;
        this.segment = buffer.segment();
        this.mine = mine;
        this.theirs = theirs;
        this.futex = futex;
        this.resource = resource;
    }

    @Override
    public void send(ByteBuffer message) throws IOException {
        buffer.putIntRelease(mine, ++sent);
        if (futex) {
            Futex.wake(segment, mine, 1);
        }
    }

    @Override
    public void receive(ByteBuffer into) throws IOException {
        int expected = ++received;
        long start = 0;
        long spins = 0;
        int seen;
        while ((seen = buffer.getIntAcquire(theirs)) != expected) {
            if (futex) {
                Futex.await(segment, theirs, seen, Duration.ofSeconds(1));
            } else {
                Thread.onSpinWait();
            }
            if (++spins % SPIN_CHECK == 0 || futex) {
                start = start == 0 ? System.nanoTime() : start;
                if (System.nanoTime() - start > PEER_TIMEOUT_NANOS) {
                    throw new IOException("the peer did not answer within 60 s");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
