package io.ipc4j.signal;

import io.ipc4j.internal.posix.ProcessCalls;
import io.ipc4j.IpcTimeoutException;
import io.ipc4j.NativeDescriptor;
import io.ipc4j.event.EventFd;
import io.ipc4j.internal.posix.Handles;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.SignalCalls;
import io.ipc4j.internal.proc.Sysctl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Receives signals with their values (sigqueue payloads) on one dedicated thread, through signalfd(2).
 *
 * <h2>How and why</h2>
 * The receiver's platform thread blocks its signals in itself only and reads them from a signalfd. A signal
 * sent to that thread (thread-directed: {@link Signals#queue} finds it by its name, {@value #THREAD_NAME},
 * and its blocked-signal mask in /proc) waits for it and nowhere else, so none is lost and none reaches
 * a handler by mistake. Process-directed signals (kill(2), sigqueue(3) from a C program) cannot be received
 * this way in a JVM: they go to any thread not blocking them, and a real-time signal with no handler
 * terminates the JVM. Every thread of a JVM would have to block it, and the JVM's own threads exist before
 * any user code runs. For those, use {@link SignalHandlers} (no value) instead.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>Real-time signals queue and arrive in order, each with its value; standard signals pending together
 * coalesce into one, as the kernel defines.</li>
 * <li>Signals are kept in a bounded queue of {@value #CAPACITY}; beyond that the oldest are counted in
 * {@link #dropped()} and dropped. {@link #receive} is thread-safe.</li>
 * <li>The signals it accepts: USR1, HUP, INT, TERM, ALRM, CHLD, CONT, TSTP, WINCH and the real-time ones;
 * not those the JVM needs (see {@link SignalHandlers}).</li>
 * <li>{@link #close()} stops the thread within 200 ms; signals still pending for it are discarded, those
 * already received can still be taken.</li>
 * <li>Waiting: a virtual thread in {@link #receive} parks and leaves its carrier free. The receiver is a
 * {@link NativeDescriptor} (an eventfd counting the signals waiting to be taken), so an
 * {@link io.ipc4j.event.EventLoop} can wait for signals together with other objects: it is readable while a
 * signal waits; take it with {@link #poll()}.</li>
 * </ul>
 */
public final class SignalReceiver implements NativeDescriptor {
    /** The receiving thread's name, which is also its kernel name (at most 15 characters). */
    public static final String THREAD_NAME = "ipc4j-sigrecv";
    static final int CAPACITY = 65_536;
    private static final Set<Integer> ACCEPTED_STANDARD = Set.of(1, 2, 10, 14, 15, 17, 18, 20, 28);
    private static final int BATCH = 32;

    private final List<Signal> signals;
    private final BlockingQueue<QueuedSignal> received = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final CompletableFuture<Integer> started = new CompletableFuture<>();
    private final Thread thread;
    /** Counts the signals in {@link #received}, for waiting (and for event loops). */
    private final EventFd arrivals;
    private volatile boolean open = true;

    static {
        Handles.register(SignalReceiver.class, receiver -> Handles.of(receiver.arrivals));
    }

    private SignalReceiver(List<Signal> signals) throws IOException {
        this.signals = signals;
        this.arrivals = EventFd.create(0, EventFd.Mode.SEMAPHORE);
        this.thread = Thread.ofPlatform().name(THREAD_NAME).daemon().unstarted(this::run);
    }

    /**
     * Starts receiving {@code signals}; returns once the thread is ready, so a signal queued after this
     * returns is not lost.
     *
     * @param signals the signals
     * @return the {@code SignalReceiver}
     * @throws IllegalArgumentException for a signal this receiver does not accept, naming the ones it does.
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SignalReceiver open(Signal... signals) throws IOException {
        checkReceivable(signals);
        SignalReceiver receiver = new SignalReceiver(List.of(signals));
        receiver.thread.start();
        try {
            receiver.started.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            receiver.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting the signal receiver");
        }
        return receiver;
    }

    /** Refuses no signals, and signals the JVM needs (see {@link SignalHandlers}), naming those it accepts. */
    static void checkReceivable(Signal... signals) {
        if (signals.length == 0) {
            throw new IllegalArgumentException("name at least one signal to receive");
        }
        for (Signal s : signals) {
            if (!s.isRealtime() && !ACCEPTED_STANDARD.contains(s.number())) {
                throw new IllegalArgumentException(s + " cannot be received here: use a real-time"
                        + " signal (Signal.realtime(n)) or one of USR1, HUP, INT, TERM, ALRM, CHLD, CONT, TSTP, WINCH");
            }
        }
    }

    /**
     * The kernel thread id signals must be sent to (what {@link Signals#queue} finds through /proc).
     *
     * @return the kernel thread id signals must be sent to
     */
    public int threadId() {
        return started.join();
    }

    /**
     * The next signal, waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @return the next signal, waiting at most {@code timeout}
     * @throws IpcTimeoutException if none arrived in time.
     * @throws ClosedChannelException if the receiver is closed and nothing is left.
     */
    public QueuedSignal receive(Duration timeout) throws IOException {
        try {
            arrivals.await(timeout);
        } catch (IpcTimeoutException e) {
            throw new IpcTimeoutException("receive(" + this + ")", timeout, 0);
        } catch (ClosedChannelException e) {
            QueuedSignal left = received.poll();
            if (left != null) {
                return left;
            }
            throw e;
        }
        return received.poll();
    }

    /**
     * The next signal if one is there, else null; never waits.
     *
     * @return the next signal if one is there, else null
     */
    public QueuedSignal poll() {
        try {
            return arrivals.tryTake() != 0 ? received.poll() : null;
        } catch (IOException e) {
            return received.poll(); // closed: what is left
        }
    }

    /** The eventfd that is readable while a signal waits to be taken. */
    @Override
    public int fd() throws ClosedChannelException {
        return arrivals.fd();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /**
     * Signals dropped because {@value #CAPACITY} were waiting to be received.
     *
     * @return how many signals were dropped
     */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public String toString() {
        return "signal receiver " + signals + " in pid " + ProcessCalls.getpid();
    }

    private void run() {
        int[] numbers = signals.stream().mapToInt(Signal::number).toArray();
        int fd;
        try {
            fd = Failures.check(SignalCalls.blockAndOpenSignalfd(numbers, false), "pthread_sigmask+signalfd", this);
        } catch (IOException | RuntimeException e) {
            arrivals.close();
            started.completeExceptionally(e);
            return;
        }
        started.complete(SignalCalls.gettid());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(SignalCalls.SIGNALFD_SIGINFO_BYTES * BATCH, 8);
            while (open) {
                if (Failures.check(FileCalls.poll(fd, FileCalls.POLLIN, 200), "poll", this) != 0) {
                    drain(fd, buffer);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            open = false;
            FileCalls.closeQuietly(fd);
            arrivals.close();
        }
    }

    private void drain(int fd, MemorySegment buffer) throws IOException {
        long n;
        while ((n = FileCalls.read(fd, buffer, buffer.byteSize())) > 0) {
            for (long at = 0; at < n; at += SignalCalls.SIGNALFD_SIGINFO_BYTES) {
                MemorySegment info = buffer.asSlice(at, SignalCalls.SIGNALFD_SIGINFO_BYTES);
                deliver(fromSignalfd(info));
            }
        }
        if (n < 0 && n != -Errno.EAGAIN) {
            throw Failures.of("read", String.valueOf(this), (int) -n);
        }
    }

    /** The signal a signalfd_siginfo read from a signalfd describes. */
    static QueuedSignal fromSignalfd(MemorySegment info) {
        return new QueuedSignal(Signal.of(info.get(JAVA_INT, SignalCalls.SSI_SIGNO)),
                info.get(JAVA_INT, SignalCalls.SSI_INT), info.get(JAVA_INT, SignalCalls.SSI_CODE) == SignalCalls.SI_QUEUE,
                info.get(JAVA_INT, SignalCalls.SSI_PID), info.get(JAVA_INT, SignalCalls.SSI_UID));
    }

    /** Queues {@code signal}, dropping the oldest if full; the arrivals count grows only when none was dropped. */
    private void deliver(QueuedSignal signal) throws IOException {
        boolean droppedOne = false;
        while (!received.offer(signal)) {
            if (received.poll() != null) {
                dropped.incrementAndGet();
                droppedOne = true;
            }
        }
        if (!droppedOne) {
            arrivals.signal(1);
        }
    }

    /**
     * The kernel thread id of an open receiver for {@code signal} in process {@code pid}: a thread named
     * {@value #THREAD_NAME} whose blocked-signal mask (SigBlk in /proc/PID/task/TID/status) has the signal.
     */
    static OptionalInt threadOf(long pid, Signal signal) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.filter(t -> Sysctl.readText(t.resolve("comm").toString()).map(String::strip)
                            .filter(THREAD_NAME::equals).isPresent())
                    .filter(t -> blocks(t, signal))
                    .mapToInt(t -> Integer.parseInt(t.getFileName().toString()))
                    .findFirst();
        } catch (IOException | UncheckedIOException e) {
            return OptionalInt.empty(); // no such process, or its /proc is not readable: send process-directed
        }
    }

    private static boolean blocks(Path task, Signal signal) {
        return Sysctl.readText(task.resolve("status").toString()).stream()
                .flatMap(String::lines)
                .filter(l -> l.startsWith("SigBlk:"))
                .map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
                .anyMatch(mask -> (mask & (1L << (signal.number() - 1))) != 0);
    }
}
