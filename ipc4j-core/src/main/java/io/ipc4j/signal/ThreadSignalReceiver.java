package io.ipc4j.signal;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FdHandle;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.SignalCalls;
import io.ipc4j.internal.wait.Deadline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Receives signals on the thread that opened it: that thread blocks the signals and reads them itself from a
 * signalfd, one wake-up per signal, as a C program's sigwaitinfo(2) has; a {@link SignalReceiver} hands each
 * signal from its own thread to the one that receives it (a second wake-up, on another thread).
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>Thread-confined: open it on a platform thread (a virtual thread may move between kernel threads, and the
 * signal mask belongs to one), and receive on that thread only; {@link #close()} may come from any thread.</li>
 * <li>While it is open, the thread's name is {@value SignalReceiver#THREAD_NAME}, so that
 * {@link Signals#queue} and {@link Signals#target} find it (by that name and its blocked-signal mask), and
 * thread-directed signals reach it and nowhere else. Its former name comes back at {@link #close()} (or at the
 * thread's next call, when another thread closed it). (Not sigtimedwait(2): while a thread waits in it, the
 * kernel unblocks the signals it waits for, so /proc shows no mask for the senders to find.)</li>
 * <li>Real-time signals queue and arrive in order, each with its value; standard signals pending together
 * coalesce into one, as the kernel defines. The signals it accepts are those a {@link SignalReceiver} does.</li>
 * <li>Waiting: {@link #receive()} waits as long as it takes, in one read(2) of the signalfd that sleeps in the
 * kernel, as C's sigwaitinfo does; {@link #receive(Duration)} reads without waiting and, when nothing is
 * pending, waits in poll(2) at most its timeout; {@link #poll()} never waits. A close from another thread or an
 * interrupt ends a wait (within 200 ms from poll).</li>
 * <li>After close, the signals stay blocked in the thread: unblocking a pending real-time signal would run its
 * default action, which ends the process. Signals still pending stay with the thread.</li>
 * <li>To wait on signals together with other objects in an {@link io.ipc4j.event.EventLoop}, use a
 * {@link SignalReceiver}.</li>
 * </ul>
 */
public final class ThreadSignalReceiver implements AutoCloseable {
    /**
     * Whether receivers open their signalfd in blocking mode (where its reads take RWF_NOWAIT), so that an untimed
     * receive sleeps in read(2). Probed when the first receiver is opened, not at every signal call's start-up.
     */
    private static final boolean SIGNALFD_BLOCKING = SignalCalls.signalfdReadsTakeNoWait();

    private final List<Signal> signals;
    private final Thread owner;
    private final String ownerName;
    private final int threadId;
    private final FdHandle handle;
    private final MemorySegment info = Arena.ofAuto().allocate(SignalCalls.SIGNALFD_SIGINFO_BYTES, 8);
    private boolean renamedBack;

    private ThreadSignalReceiver(List<Signal> signals, int signalfd) {
        this.signals = signals;
        this.owner = Thread.currentThread();
        this.ownerName = owner.getName();
        this.threadId = SignalCalls.gettid();
        this.handle = new FdHandle(this, signalfd, SIGNALFD_BLOCKING);
    }

    /**
     * Blocks {@code signals} in the calling thread and makes it their receiver.
     *
     * @param signals the signals
     * @return the receiver, for this thread only
     * @throws IllegalArgumentException for a signal it does not accept, naming the ones it does.
     * @throws IllegalStateException    on a virtual thread.
     * @throws IOException              if pthread_sigmask fails: the message names the call and the errno.
     */
    public static ThreadSignalReceiver open(Signal... signals) throws IOException {
        SignalReceiver.checkReceivable(signals);
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a ThreadSignalReceiver needs a platform thread: a virtual thread may "
                    + "move between kernel threads, and a signal mask belongs to one (use a SignalReceiver)");
        }
        int fd = Failures.check(SignalCalls.blockAndOpenSignalfd(Arrays.stream(signals).mapToInt(Signal::number)
                .toArray(), SIGNALFD_BLOCKING), "pthread_sigmask+signalfd", "this thread");
        ThreadSignalReceiver receiver = new ThreadSignalReceiver(List.of(signals), fd);
        Thread.currentThread().setName(SignalReceiver.THREAD_NAME); // the current thread's kernel name too
        return receiver;
    }

    /**
     * The next signal, waiting as long as it takes.
     *
     * @return the next signal
     * @throws ClosedChannelException   if the receiver was closed.
     * @throws InterruptedIOException   if the thread was interrupted.
     * @throws IllegalStateException    on another thread than the one that opened it.
     * @throws IOException              if the call fails: the message names the call, the object and the errno
     */
    public QueuedSignal receive() throws IOException {
        return receive(Deadline.FOREVER);
    }

    /**
     * The next signal, waiting at most {@code timeout}.
     *
     * @param timeout the longest this call waits
     * @return the next signal
     * @throws IpcTimeoutException if none came in time.
     * @throws ClosedChannelException   if the receiver was closed.
     * @throws InterruptedIOException   if the thread was interrupted.
     * @throws IOException              if the call fails: the message names the call, the object and the errno
     */
    public QueuedSignal receive(Duration timeout) throws IOException {
        return receive(Deadline.after(timeout));
    }

    /**
     * The next signal if one is pending, else null; never waits.
     *
     * @return the next signal, or null
     * @throws ClosedChannelException if the receiver was closed.
     * @throws IOException            if the call fails: the message names the call, the object and the errno
     */
    public QueuedSignal poll() throws IOException {
        return receive(Deadline.NOW);
    }

    /**
     * Reads one signal. Without a deadline, one read(2) that sleeps in the kernel, as C's sigwaitinfo does
     * (a close or an interrupt ends it with the JDK's I/O signal); else an attempt that never waits, then poll(2)
     * (the shared wait: slices, close, interrupt) when nothing is pending.
     */
    private QueuedSignal receive(Deadline deadline) throws IOException {
        checkOwner();
        try {
            handle.begin();
        } catch (ClosedChannelException e) {
            renameBack();
            throw e;
        }
        try {
            boolean direct = handle.mayBlockDirectly(deadline);
            while (true) {
                long n = handle.transfer(false, direct, info, info.byteSize(), this);
                if (n == info.byteSize()) {
                    return SignalReceiver.fromSignalfd(info);
                }
                if (n != -Errno.EAGAIN) {
                    throw Failures.of("read", toString(), (int) -n);
                }
                direct = false; // EAGAIN from a direct call: made non-blocking by another holder
                if (deadline.isNow()) {
                    return null;
                }
                if (handle.awaitReady(FileCalls.POLLIN, deadline, this) == 0) {
                    throw new IpcTimeoutException("receive(" + this + ")", deadline.timeout(), 0);
                }
            }
        } catch (AsynchronousCloseException e) {
            renameBack();
            throw e;
        } finally {
            handle.end();
        }
    }

    /**
     * The kernel thread id signals must be sent to: the opening thread's.
     *
     * @return the kernel thread id
     */
    public int threadId() {
        return threadId;
    }

    /**
     * Stops receiving and closes the signalfd: a wait in progress ends within 200 ms; the signals stay blocked.
     * Closing twice is harmless.
     */
    @Override
    public void close() {
        handle.close();
        if (Thread.currentThread() == owner) {
            renameBack();
        }
    }

    private void renameBack() {
        if (!renamedBack) {
            renamedBack = true;
            owner.setName(ownerName);
        }
    }

    private void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(this + " receives on the thread that opened it, " + ownerName
                    + ", only: a signal mask belongs to one thread (use a SignalReceiver to receive on any)");
        }
    }

    @Override
    public String toString() {
        return "thread signal receiver " + signals + " on thread " + threadId;
    }
}
