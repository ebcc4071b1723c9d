package io.ipc4j.event;

/**
 * A task {@link EventLoop#schedule scheduled} on a loop, once or periodically. Cancellable from any thread; a
 * run already started completes.
 */
public final class Scheduled implements Comparable<Scheduled> {
    private final EventLoop loop;
    final long period;
    final Runnable task;
    long due;
    private volatile boolean cancelled;

    Scheduled(EventLoop loop, long due, long period, Runnable task) {
        this.loop = loop;
        this.due = due;
        this.period = period;
        this.task = task;
    }

    /** Stops further runs. Harmless twice. */
    public void cancel() {
        cancelled = true;
        loop.cancel(this);
    }

    /** {@return whether it was cancelled} */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Whether it runs again and again.
     *
     * @return whether it runs again and again
     */
    public boolean isPeriodic() {
        return period > 0;
    }

    @Override
    public int compareTo(Scheduled other) {
        return Long.compare(due - other.due, 0);
    }

    @Override
    public String toString() {
        return "scheduled " + task + (period > 0 ? " every " + period + " ns" : "");
    }
}
