package io.ipc4j.signal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Signal handlers that run as ordinary Java code, on one ordinary thread, never in signal context.
 *
 * <h2>How</h2>
 * Through the JVM's own signal dispatcher (sun.misc.Signal in module jdk.unsupported, still present in JDK 25):
 * the JVM catches the signal, and ipc4j runs the registered handlers one at a time, in registration order,
 * on its daemon thread "ipc4j-signals". A Java upcall installed with sigaction would be faster but crashes
 * HotSpot when the signal lands on a thread running Java code, so ipc4j does not offer it.
 *
 * <h2>Which signals</h2>
 * Accepted: HUP INT TERM USR1 ALRM CHLD CONT TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS PIPE TRAP
 * ABRT BUS STKFLT. Refused with {@link IllegalArgumentException} saying why:
 * <ul>
 * <li>KILL and STOP: no process can catch them.</li>
 * <li>QUIT (the JVM prints a thread dump on it), ILL, FPE and SEGV (the JVM uses them for implicit null and
 * range checks and safepoints): the JVM refuses them.</li>
 * <li>USR2: HotSpot uses it to suspend and resume threads; the JVM would accept a handler, ipc4j refuses it.</li>
 * <li>Real-time signals: the JVM's dispatcher knows none; use {@link SignalReceiver}, which also gets values.</li>
 * <li>HUP, INT and TERM when the JVM runs with {@code -Xrs}: the JVM then leaves them to the OS.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * Registering a handler for TERM, INT or HUP replaces the JVM's default (run shutdown hooks and exit) until
 * the last registration for it is closed; then the previous disposition is restored. Standard signals that
 * arrive while one is pending coalesce: a handler runs at least once per burst, not once per send. A handler
 * that throws is reported on standard error and does not stop the others. Delivery takes about half a
 * millisecond (FFM-NOTES 8b).
 */
public final class SignalHandlers {
    private static final Map<Integer, Slot> SLOTS = new ConcurrentHashMap<>();
    private static final ExecutorService DISPATCH = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("ipc4j-signals").daemon().factory());

    private SignalHandlers() {
    }

    /** A registered handler; closing it unregisters it (idempotent). */
    public interface Registration extends AutoCloseable {
        /** {@return the signal it handles} */
        Signal signal();

        @Override
        void close();
    }

    /**
     * Runs {@code handler} on ipc4j's signal thread each time {@code signal} arrives, until the returned
     * registration is closed.
     *
     * @param signal the signal
     * @param handler what to call
     * @return the {@code Registration}
     * @throws IllegalArgumentException if the signal cannot be handled in a JVM (see the class comment).
     */
    public static Registration register(Signal signal, Consumer<Signal> handler) {
        Objects.requireNonNull(handler, "handler");
        refuseReserved(signal);
        synchronized (SLOTS) {
            Slot slot = SLOTS.computeIfAbsent(signal.number(), n -> new Slot(signal));
            slot.handlers.add(handler);
            if (slot.handlers.size() == 1) {
                slot.install();
            }
        }
        return new Registration() {
            private boolean closed;

            @Override
            public Signal signal() {
                return signal;
            }

            @Override
            public void close() {
                synchronized (SLOTS) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    Slot slot = SLOTS.get(signal.number());
                    slot.handlers.remove(handler);
                    if (slot.handlers.isEmpty()) {
                        slot.restore();
                        SLOTS.remove(signal.number());
                    }
                }
            }
        };
    }

    private static void refuseReserved(Signal signal) {
        String why = switch (signal.number()) {
            case 9, 19 -> "no process can catch " + signal;
            case 3 -> "the JVM reserves SIGQUIT for thread dumps";
            case 4, 8, 11 -> "the JVM reserves " + signal + " for its own checks; it cannot be handled in Java";
            case 12 -> "HotSpot uses SIGUSR2 to suspend and resume threads; use SIGUSR1 or a real-time signal";
            case 0 -> "signal 0 is never delivered; it only checks that a process exists";
            default -> signal.isRealtime()
                    ? "the JVM's dispatcher cannot handle real-time signals; receive them with SignalReceiver" : null;
        };
        if (why != null) {
            throw new IllegalArgumentException("cannot handle " + signal + ": " + why);
        }
    }

    private static void dispatch(Signal signal) {
        DISPATCH.execute(() -> {
            Slot slot = SLOTS.get(signal.number());
            List<Consumer<Signal>> handlers = slot == null ? List.of() : slot.handlers;
            for (Consumer<Signal> h : handlers) {
                try {
                    h.accept(signal);
                } catch (RuntimeException | Error e) {
                    System.err.println("[ipc4j] handler for " + signal + " failed: " + e);
                    e.printStackTrace();
                }
            }
        });
    }

    /** The handlers of one signal and the JVM handler they replaced. */
    private static final class Slot {
        final Signal signal;
        final List<Consumer<Signal>> handlers = new CopyOnWriteArrayList<>();
        Object previous;

        Slot(Signal signal) {
            this.signal = signal;
        }

        void install() {
            try {
                previous = JvmSignals.handle(signal.shortName(), JvmSignals.handler(() -> dispatch(signal)));
            } catch (IllegalArgumentException e) {
                handlers.clear();
                SLOTS.remove(signal.number());
                boolean xrs = signal.number() == 1 || signal.number() == 2 || signal.number() == 15;
                throw new IllegalArgumentException("cannot handle " + signal + ": the JVM refused it ("
                        + e.getMessage() + ")" + (xrs ? "; is the JVM running with -Xrs?" : ""), e);
            }
        }

        void restore() {
            JvmSignals.handle(signal.shortName(), previous);
        }
    }
}
