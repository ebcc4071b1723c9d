package io.ipc4j.mq;

import io.ipc4j.sysv.SysVKey;

import io.ipc4j.IpcTimeoutException;
import io.ipc4j.internal.posix.BufferSegments;
import io.ipc4j.internal.wait.Backoff;
import io.ipc4j.internal.wait.Deadline;
import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.posix.MessageQueueCalls;
import io.ipc4j.internal.proc.Sysctl;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A System V message queue (msgget(2)): typed messages in a kernel queue named by a {@link SysVKey}, shared
 * with any process that knows the key or the id.
 *
 * <pre>{@code
 * try (SysVMessageQueue q = SysVMessageQueue.create(SysVKey.ftok(Path.of("/etc/hostname"), 7), 0600)) {
 *     q.send(2, ByteBuffer.wrap(bytes));                           // type 2
 *     long type = q.receive(buffer, -3, Duration.ofSeconds(1));    // lowest type <= 3 first
 *     q.remove();                                                 // queues outlive every process
 * }
 * }</pre>
 *
 * <h2>Assumptions and guarantees</h2>
 * <ul>
 * <li>Selection (msgrcv(2)): type 0 takes the first message; type &gt; 0 the first of that type
 * ({@link ReceiveOption#EXCEPT_TYPE}: of any other type); type &lt; 0 the first of the lowest type at most
 * |type|. Order within a type is first in, first out.</li>
 * <li>Waiting: untimed calls block in the kernel (fastest wake-up; {@link #close()} cannot interrupt them,
 * removing the queue does). System V queues cannot be polled and have no timed calls, so timed calls retry
 * without blocking, idling with a back-off (spin, yield, then parking up to 1 ms): they notice a message
 * within about 1 ms and use almost no CPU. A timed call on a virtual thread parks between tries and leaves
 * its carrier free; an untimed call waits in msgrcv/msgsnd, a native call, and holds its carrier.</li>
 * <li>Removal: a call waiting on a queue that another process removes fails with
 * {@link QueueRemovedException} (EIDRM), at once for untimed calls.</li>
 * <li>No allocation per message; a message that does not fit the caller's buffer stays in the queue
 * ({@link BufferTooSmallException}) unless {@link ReceiveOption#TRUNCATE} is given.</li>
 * <li>Thread-safe: sends are serialised, and so are receives. {@link #close()} releases this handle's buffers
 * only: a System V queue has nothing to close, it exists until {@link #remove()}.</li>
 * </ul>
 */
public final class SysVMessageQueue implements AutoCloseable {
    private static final long DEFAULT_MSGMAX = 8192;
    private static final long BUFFER_CAP = 16L << 20;

    private final int id;
    private final SysVKey key;
    private final long maxText;
    private volatile boolean closed;
    private final MemorySegment sendBuffer;
    private final MemorySegment receiveBuffer;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Segments over the buffers sent from (under sendLock) and received into (under receiveLock). */
    private final BufferSegments sources = new BufferSegments();
    private final BufferSegments targets = new BufferSegments();
    private final ReentrantLock receiveLock = new ReentrantLock();

    private SysVMessageQueue(int id, SysVKey key) {
        this.id = id;
        this.key = key;
        this.maxText = Math.min(BUFFER_CAP, Sysctl.readLong("/proc/sys/kernel/msgmax").orElse(DEFAULT_MSGMAX));
        // Freed by the GC, not by close(): a thread blocked in msgrcv may still be using it.
        Arena arena = Arena.ofAuto();
        this.sendBuffer = arena.allocate(Long.BYTES + maxText, Long.BYTES);
        this.receiveBuffer = arena.allocate(Long.BYTES + maxText, Long.BYTES);
    }

    /**
     * Creates a new queue for {@code key}; FileAlreadyExistsException if one exists (IPC_CREAT | IPC_EXCL).
     *
     * @param key the System V key
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code SysVMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVMessageQueue create(SysVKey key, int mode) throws IOException {
        return get(key, checkMode(mode) | MessageQueueCalls.IPC_CREAT | MessageQueueCalls.IPC_EXCL);
    }

    /**
     * Opens the queue for {@code key}, creating it with {@code mode} if there is none.
     *
     * @param key the System V key
     * @param mode the permission bits, such as {@code 0600}
     * @return the {@code SysVMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVMessageQueue openOrCreate(SysVKey key, int mode) throws IOException {
        return get(key, checkMode(mode) | MessageQueueCalls.IPC_CREAT);
    }

    /**
     * Opens the existing queue for {@code key}.
     *
     * @param key the System V key
     * @return the {@code SysVMessageQueue}
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVMessageQueue open(SysVKey key) throws IOException {
        return get(key, 0);
    }

    /**
     * The queue with this id (as ipcs shows it); NoSuchFileException-like errno EINVAL if there is none.
     *
     * @param id the kernel's identifier
     * @return the queue with this id
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public static SysVMessageQueue ofId(int id) throws IOException {
        SysVMessageQueue queue = new SysVMessageQueue(id, null);
        try {
            return new SysVMessageQueue(id, queue.status().key());
        } catch (QueueRemovedException e) { // EINVAL for an id: none has it now, whether or not one ever did
            throw Failures.of("msgctl(IPC_STAT)", "System V queue id " + id, Errno.EINVAL,
                    "no queue has this id now: ipc4j ipcs lists the queues there are");
        } finally {
            queue.close();
        }
    }

    private static SysVMessageQueue get(SysVKey key, int flags) throws IOException {
        int id = MessageQueueCalls.msgget(key.value(), flags);
        if (id < 0) {
            throw Failures.of("msgget", "key " + key, -id, switch (-id) {
                case Errno.ENOENT -> "no queue has this key: create it first";
                case Errno.ENOSPC -> "the machine's limit on System V queues (kernel.msgmni) is reached";
                default -> null;
            });
        }
        return new SysVMessageQueue(id, key);
    }

    private static int checkMode(int mode) {
        if ((mode & ~0777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        return mode;
    }

    /**
     * Sends {@code message} with {@code type} (&gt;= 1), blocking in the kernel while the queue is full.
     *
     * @param type the message type
     * @param message the message: the buffer's remaining bytes
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void send(long type, ByteBuffer message) throws IOException {
        send(type, message, Deadline.FOREVER);
    }

    /**
     * Sends {@code message} with {@code type} (&gt;= 1), waiting at most {@code timeout} while the queue is full.
     *
     * @param type the message type
     * @param message the message: the buffer's remaining bytes
     * @param timeout the longest this call waits
     * @throws IpcTimeoutException if it stayed full; the buffer is untouched.
     */
    public void send(long type, ByteBuffer message, Duration timeout) throws IOException {
        send(type, message, Deadline.after(timeout));
    }

    /**
     * Sends if there is room now; false (buffer untouched) if not. Never waits.
     *
     * @param type the message type
     * @param message the message: the buffer's remaining bytes
     * @return true if it was sent, false (buffer untouched) if the queue is full
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public boolean trySend(long type, ByteBuffer message) throws IOException {
        return send(type, message, Deadline.NOW);
    }

    private boolean send(long type, ByteBuffer message, Deadline deadline) throws IOException {
        if (type < 1) {
            throw new IllegalArgumentException("a System V message type must be >= 1, not " + type);
        }
        int length = message.remaining();
        if (length > maxText) {
            throw new IllegalArgumentException("msgsnd(" + this + "): a message of " + length + " bytes is larger "
                    + "than this machine's kernel.msgmax of " + maxText + " bytes (/proc/sys/kernel/msgmax)");
        }
        checkOpen();
        sendLock.lock();
        try {
            sendBuffer.set(JAVA_LONG, 0, type);
            MemorySegment.copy(sources.whole(message), message.position(), sendBuffer, Long.BYTES, length);
            int flags = deadline.isForever() ? 0 : MessageQueueCalls.IPC_NOWAIT;
            Backoff backoff = null;
            while (true) {
                int r = MessageQueueCalls.msgsnd(id, sendBuffer, length, flags);
                if (r == 0) {
                    message.position(message.limit());
                    return true;
                }
                if (r != -Errno.EAGAIN) {
                    throw failure("msgsnd", -r);
                }
                if (deadline.isNow()) {
                    return false;
                }
                backoff = backoff == null ? new Backoff() : backoff;
                if (!backoff.idle(deadline)) {
                    throw new IpcTimeoutException("msgsnd(" + this + "): the queue is full", deadline.timeout(), 0);
                }
                checkInterrupt();
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives by {@code type} (see the class comment), blocking in the kernel; returns the message's type.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param type the message type
     * @param options the options
     * @return the message's type
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public long receive(ByteBuffer dst, long type, ReceiveOption... options) throws IOException {
        return receive(dst, type, Deadline.FOREVER, options);
    }

    /**
     * Receives by {@code type} into {@code dst}, waiting at most {@code timeout}.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param type the message type
     * @param timeout the longest this call waits
     * @param options the options
     * @return the received message's type.
     * @throws IpcTimeoutException if no matching message came in time.
     * @throws BufferTooSmallException if the message is larger than {@code dst} (it stays in the queue).
     */
    public long receive(ByteBuffer dst, long type, Duration timeout, ReceiveOption... options) throws IOException {
        return receive(dst, type, Deadline.after(timeout), options);
    }

    /**
     * Receives a matching message if one is there now: its type, or 0 if none. Never waits.
     *
     * @param dst the buffer to fill, from its position up to its limit
     * @param type the message type
     * @param options the options
     * @return its type, or 0 if none
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public long tryReceive(ByteBuffer dst, long type, ReceiveOption... options) throws IOException {
        return receive(dst, type, Deadline.NOW, options);
    }

    private long receive(ByteBuffer dst, long type, Deadline deadline, ReceiveOption... options)
            throws IOException {
        int flags = flags(options) | (deadline.isForever() ? 0 : MessageQueueCalls.IPC_NOWAIT);
        long room = Math.min(dst.remaining(), maxText);
        checkOpen();
        receiveLock.lock();
        try {
            Backoff backoff = null;
            while (true) {
                long n = MessageQueueCalls.msgrcv(id, receiveBuffer, room, type, flags);
                if (n >= 0) {
                    MemorySegment.copy(receiveBuffer, Long.BYTES, targets.whole(dst), dst.position(), n);
                    dst.position(dst.position() + (int) n);
                    return receiveBuffer.get(JAVA_LONG, 0);
                }
                if (n == -Errno.E2BIG) {
                    throw new BufferTooSmallException(toString(), (int) room);
                }
                if (n != -Errno.ENOMSG && n != -Errno.EAGAIN) {
                    throw failure("msgrcv", (int) -n);
                }
                if (deadline.isNow()) {
                    return 0;
                }
                backoff = backoff == null ? new Backoff() : backoff;
                if (!backoff.idle(deadline)) {
                    throw new IpcTimeoutException("msgrcv(" + this + ", type " + type + ")", deadline.timeout(), 0);
                }
                checkInterrupt();
            }
        } finally {
            receiveLock.unlock();
        }
    }

    private static int flags(ReceiveOption... options) {
        int flags = 0;
        for (ReceiveOption option : options) {
            flags |= switch (option) {
                case TRUNCATE -> MessageQueueCalls.MSG_NOERROR;
                case EXCEPT_TYPE -> MessageQueueCalls.MSG_EXCEPT;
            };
        }
        return flags;
    }

    private IOException failure(String call, int errno) {
        if (errno == Errno.EIDRM || errno == Errno.EINVAL) {
            return new QueueRemovedException(call + "(" + this + ") failed: " + Errno.name(errno) + " ("
                    + Errno.description(errno) + "): the queue was removed (IPC_RMID)");
        }
        return Failures.of(call, toString(), errno);
    }

    private static void checkInterrupt() throws InterruptedIOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException("interrupted while waiting on a System V queue");
        }
    }

    /**
     * The queue's state (msgctl IPC_STAT).
     *
     * @return the queue's state
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public SysVQueueStatus status() throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ds = scratch.allocate(MessageQueueCalls.MSQID_DS);
            int r = MessageQueueCalls.msgctl(id, MessageQueueCalls.IPC_STAT, ds);
            if (r < 0) {
                throw failure("msgctl(IPC_STAT)", -r);
            }
            return new SysVQueueStatus(new SysVKey(perm(ds, "__key")), perm(ds, "mode") & 0777, perm(ds, "uid"),
                    perm(ds, "cuid"), field(ds, "msg_qnum"), field(ds, "__msg_cbytes"), field(ds, "msg_qbytes"),
                    ds.get(JAVA_INT, offset(groupElement("msg_lspid"))),
                    ds.get(JAVA_INT, offset(groupElement("msg_lrpid"))), time(field(ds, "msg_stime")),
                    time(field(ds, "msg_rtime")), time(field(ds, "msg_ctime")));
        }
    }

    private static int perm(MemorySegment ds, String name) {
        return ds.get(JAVA_INT, offset(groupElement("msg_perm"), groupElement(name)));
    }

    private static long field(MemorySegment ds, String name) {
        return ds.get(JAVA_LONG, offset(groupElement(name)));
    }

    private static long offset(MemoryLayout.PathElement... path) {
        return MessageQueueCalls.MSQID_DS.byteOffset(path);
    }

    private static Instant time(long seconds) {
        return seconds == 0 ? null : Instant.ofEpochSecond(seconds);
    }

    /**
     * Removes the queue (IPC_RMID): its messages are gone, and processes waiting on it fail at once.
     *
     * @throws IOException if the call fails: the message names the call, the object and the errno
     */
    public void remove() throws IOException {
        int r = MessageQueueCalls.msgctl(id, MessageQueueCalls.IPC_RMID, MemorySegment.NULL);
        if (r < 0) {
            throw failure("msgctl(IPC_RMID)", -r);
        }
    }

    /** {@return the kernel's identifier of the queue} */
    public int id() {
        return id;
    }

    /**
     * The key it was opened by; for {@link #ofId}, the key it was created with.
     *
     * @return the key it was opened by
     */
    public SysVKey key() {
        return key;
    }

    /**
     * kernel.msgmax: the largest message this handle sends or receives.
     *
     * @return the largest message this handle sends or receives
     */
    public long maxMessageSize() {
        return maxText;
    }

    /**
     * Closes this handle: later calls on it throw ClosedChannelException. The queue itself stays until
     * {@link #remove()}. Harmless twice.
     */
    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() throws java.nio.channels.ClosedChannelException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        return "System V queue id " + id + (key == null ? "" : " (key " + key + ")");
    }
}
