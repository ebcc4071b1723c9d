package io.ipc4j.internal.posix;

import java.lang.ref.Cleaner;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ownership of one native resource (a descriptor, a mapping, a sem_t): counts the operations in flight, so
 * that {@link #close} never releases the resource while another thread is still using it (a descriptor
 * number could be reused by an unrelated open, an unmapped sem_t would crash the JVM); the last operation out
 * releases it instead. A {@link Cleaner} releases a resource whose owner was forgotten; the release action
 * must not reference the owner.
 */
public final class ResourceGuard {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long CLOSED = 1L << 62;

    private final AtomicLong state = new AtomicLong();
    private final Cleaner.Cleanable release;

    /**
     * @param owner   the public handle; when it becomes unreachable unclosed, {@code release} runs.
     * @param release frees the resource; runs exactly once.
     */
    public ResourceGuard(Object owner, Runnable release) {
        this.release = CLEANER.register(owner, release);
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /** Starts an operation: the resource stays until the matching {@link #end()}. */
    public void begin() throws ClosedChannelException {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
        } while (!state.compareAndSet(s, s + 1));
    }

    /** Ends an operation started by {@link #begin()}. */
    public void end() {
        if (state.decrementAndGet() == CLOSED) {
            release.clean();
        }
    }

    /** Releases now, or when the last operation in flight ends. Closing twice is harmless. */
    public void close() {
        long s;
        do {
            s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSED));
        if (s == 0) {
            release.clean();
        }
    }
}
