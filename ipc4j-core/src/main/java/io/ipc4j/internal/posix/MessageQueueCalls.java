package io.ipc4j.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw bindings of POSIX (mq_*) and System V (msg*) message queue calls. They return the C result, or
 * {@code -errno} on failure, because what a failure means (which limit, which advice) is known only to the
 * caller in {@code io.ipc4j.mq}, which turns it into an exception through {@link Failures}. EINTR is retried
 * inside.
 */
public final class MessageQueueCalls {
    public static final int IPC_CREAT = 01000;
    public static final int IPC_EXCL = 02000;
    public static final int IPC_NOWAIT = 04000;
    public static final int IPC_RMID = 0;
    public static final int IPC_STAT = 2;
    public static final int MSG_NOERROR = 010000;
    public static final int MSG_EXCEPT = 020000;

    /** {@code struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, __pad[4]; }} */
    public static final StructLayout MQ_ATTR = MemoryLayout.structLayout(
            JAVA_LONG.withName("mq_flags"), JAVA_LONG.withName("mq_maxmsg"), JAVA_LONG.withName("mq_msgsize"),
            JAVA_LONG.withName("mq_curmsgs"), MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("__pad"));

    /** glibc's {@code struct msqid_ds}, 120 bytes on x86-64 and aarch64 (PlatformTablesTest checks both). */
    public static final StructLayout MSQID_DS = MemoryLayout.structLayout(
            Layouts.IPC_PERM.withName("msg_perm"), JAVA_LONG.withName("msg_stime"), JAVA_LONG.withName("msg_rtime"),
            JAVA_LONG.withName("msg_ctime"), JAVA_LONG.withName("__msg_cbytes"), JAVA_LONG.withName("msg_qnum"),
            JAVA_LONG.withName("msg_qbytes"), JAVA_INT.withName("msg_lspid"), JAVA_INT.withName("msg_lrpid"),
            JAVA_LONG.withName("__glibc_reserved4"), JAVA_LONG.withName("__glibc_reserved5"));

    /** mqd_t mq_open(const char *name, int oflag, ... mode_t mode, struct mq_attr *attr); */
    private static final MethodHandle MQ_OPEN = Libc.linkErrnoVariadic("mq_open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), 2);
    /** int mq_unlink(const char *name); */
    private static final MethodHandle MQ_UNLINK = Libc.linkErrno("mq_unlink",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio); */
    private static final MethodHandle MQ_SEND = Libc.linkErrno("mq_send",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio); */
    private static final MethodHandle MQ_RECEIVE = Libc.linkErrno("mq_receive",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    /** int mq_timedsend(mqd_t, const char *msg_ptr, size_t msg_len, unsigned int msg_prio, const struct timespec *); */
    private static final MethodHandle MQ_TIMEDSEND = Libc.linkErrno("mq_timedsend",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS));
    /** ssize_t mq_timedreceive(mqd_t, char *msg_ptr, size_t msg_len, unsigned int *msg_prio, const struct timespec *); */
    private static final MethodHandle MQ_TIMEDRECEIVE = Libc.linkErrno("mq_timedreceive",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    /**
     * struct timespec {0, 0}: an absolute deadline long past, which makes mq_timedsend and mq_timedreceive on a
     * blocking descriptor fail at once with ETIMEDOUT instead of waiting: the per-call "do not wait" that
     * queue descriptors otherwise lack (MSG_DONTWAIT, RWF_NOWAIT). Never written.
     */
    private static final MemorySegment LONG_PAST = Arena.global().allocate(SyncCalls.TIMESPEC);
    /** int mq_getattr(mqd_t mqdes, struct mq_attr *attr); */
    private static final MethodHandle MQ_GETATTR = Libc.linkErrno("mq_getattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** key_t ftok(const char *pathname, int proj_id); */
    private static final MethodHandle FTOK = Libc.linkErrno("ftok", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** int msgget(key_t key, int msgflg); */
    private static final MethodHandle MSGGET = Libc.linkErrno("msgget",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg); */
    private static final MethodHandle MSGSND = Libc.linkErrno("msgsnd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg); */
    private static final MethodHandle MSGRCV = Libc.linkErrno("msgrcv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT));
    /** int msgctl(int msqid, int cmd, struct msqid_ds *buf); */
    private static final MethodHandle MSGCTL = Libc.linkErrno("msgctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private MessageQueueCalls() {
    }

    /** mq_open(3); {@code maxMessages} &lt;= 0 means the system defaults (attr NULL). */
    public static int mqOpen(String name, int flags, int mode, long maxMessages, long messageSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = MemorySegment.NULL;
            if (maxMessages > 0) {
                attr = arena.allocate(MQ_ATTR);
                attr.set(JAVA_LONG, MQ_ATTR.byteOffset(MemoryLayout.PathElement.groupElement("mq_maxmsg")),
                        maxMessages);
                attr.set(JAVA_LONG, MQ_ATTR.byteOffset(MemoryLayout.PathElement.groupElement("mq_msgsize")),
                        messageSize);
            }
            MemorySegment cName = arena.allocateFrom(name);
            MemorySegment cAttr = attr;
            return (int) Libc.retrying(slot -> (int) MQ_OPEN.invokeExact(slot, cName, flags, mode, cAttr));
        }
    }

    /** mq_unlink(3). */
    public static int mqUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            return (int) Libc.once(slot -> (int) MQ_UNLINK.invokeExact(slot, cName));
        }
    }

    /**
     * mq_send(3) that never waits, in either mode of the descriptor: 0, -EAGAIN if the queue is full, or -errno;
     * EINTR retried.
     */
    public static int mqSendNow(int mqd, MemorySegment message, long length, int priority) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                int r = (int) MQ_TIMEDSEND.invokeExact(slot, mqd, message, length, priority, LONG_PAST);
                int errno = r == 0 ? 0 : Libc.errno(slot);
                if (errno != Errno.EINTR) {
                    return errno == Errno.ETIMEDOUT ? -Errno.EAGAIN : -errno;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * mq_receive(3) that never waits, in either mode of the descriptor: the message length, -EAGAIN if the queue
     * is empty, or -errno; EINTR retried. The priority goes to {@code priority[0]}.
     */
    public static long mqReceiveNow(int mqd, MemorySegment buffer, long length, MemorySegment priority) {
        return timedReceive(mqd, buffer, length, priority, LONG_PAST, true);
    }

    /**
     * mq_send(3) that waits for room on a blocking descriptor: 0 or -errno; once, -EINTR returned (for
     * {@code FdHandle.callBlocking}).
     */
    public static long mqSendOnce(int mqd, MemorySegment message, long length, int priority) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            int r = (int) MQ_SEND.invokeExact(slot, mqd, message, length, priority);
            return r == 0 ? 0 : -Libc.errno(slot);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * mq_timedreceive(3) that waits on a blocking descriptor until {@code until} (an absolute CLOCK_REALTIME
     * struct timespec): the message length, or -errno (-ETIMEDOUT once it passed); once, -EINTR returned (for
     * {@code FdHandle.callBlocking}).
     */
    public static long mqReceiveOnce(int mqd, MemorySegment buffer, long length, MemorySegment priority,
                                     MemorySegment until) {
        return timedReceive(mqd, buffer, length, priority, until, false);
    }

    /** mq_timedreceive(3); {@code now}: EINTR retried and ETIMEDOUT answered as EAGAIN. */
    private static long timedReceive(int mqd, MemorySegment buffer, long length, MemorySegment priority,
                                     MemorySegment until, boolean now) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long r = (long) MQ_TIMEDRECEIVE.invokeExact(slot, mqd, buffer, length, priority, until);
                if (r >= 0) {
                    return r;
                }
                int errno = Libc.errno(slot);
                if (!now || errno != Errno.EINTR) {
                    return now && errno == Errno.ETIMEDOUT ? -Errno.EAGAIN : -errno;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** mq_getattr(3) into {@code attr} (an {@link #MQ_ATTR}): 0 or -errno. */
    public static int mqGetattr(int mqd, MemorySegment attr) {
        return (int) Libc.once(slot -> (int) MQ_GETATTR.invokeExact(slot, mqd, attr));
    }

    /** ftok(3): the key as an unsigned 32-bit value, or -errno. */
    public static long ftok(String path, int projectId) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = Libc.errnoSlot();
            int key = (int) FTOK.invokeExact(slot, arena.allocateFrom(path), projectId);
            return key == -1 ? -Libc.errno(slot) : key & 0xffff_ffffL;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** msgget(2): the id, or -errno. */
    public static int msgget(int key, int flags) {
        return (int) Libc.once(slot -> (int) MSGGET.invokeExact(slot, key, flags));
    }

    /** msgsnd(2) of {@code struct msgbuf} at {@code message} with {@code textLength} bytes of text: 0 or -errno. */
    public static int msgsnd(int id, MemorySegment message, long textLength, int flags) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                int r = (int) MSGSND.invokeExact(slot, id, message, textLength, flags);
                if (r == 0) {
                    return 0;
                }
                int errno = Libc.errno(slot);
                if (errno != Errno.EINTR) {
                    return -errno;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** msgrcv(2) into {@code struct msgbuf} at {@code buffer}: the text length, or -errno. */
    public static long msgrcv(int id, MemorySegment buffer, long maxText, long type, int flags) {
        try {
            MemorySegment slot = Libc.errnoSlot();
            while (true) {
                long r = (long) MSGRCV.invokeExact(slot, id, buffer, maxText, type, flags);
                if (r >= 0) {
                    return r;
                }
                int errno = Libc.errno(slot);
                if (errno != Errno.EINTR) {
                    return -errno;
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** msgctl(2): the result, or -errno. */
    public static int msgctl(int id, int command, MemorySegment buffer) {
        return (int) Libc.once(slot -> (int) MSGCTL.invokeExact(slot, id, command, buffer));
    }
}
