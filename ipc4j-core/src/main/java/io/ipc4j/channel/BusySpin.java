package io.ipc4j.channel;

/** {@link IdleStrategy#busySpin()}. */
final class BusySpin implements IdleStrategy {
    @Override
    public void idle(Sleeper sleeper) {
        Thread.onSpinWait();
    }

    @Override
    public void reset() {
    }

    @Override
    public String toString() {
        return "busy spin";
    }
}
