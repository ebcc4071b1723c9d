package io.ipc4j.mq;

import io.ipc4j.internal.proc.Sysctl;

/**
 * The machine's message queue limits, read from /proc/sys when asked (containers often hold them low: here
 * fs.mqueue.msg_max is 10 and msgsize_max 8192, and they bind root too without CAP_SYS_RESOURCE).
 *
 * @param posixMaxMessages     fs.mqueue.msg_max: the largest mq_maxmsg a queue may have.
 * @param posixMaxMessageSize  fs.mqueue.msgsize_max: the largest mq_msgsize.
 * @param posixDefaultMessages fs.mqueue.msg_default: mq_maxmsg when none is given.
 * @param posixDefaultMessageSize fs.mqueue.msgsize_default: mq_msgsize when none is given.
 * @param posixMaxQueues       fs.mqueue.queues_max: queues on the whole machine.
 * @param sysvMaxMessageSize   kernel.msgmax: the largest System V message.
 * @param sysvMaxQueueBytes    kernel.msgmnb: a System V queue's default capacity in bytes.
 */
public record MqLimits(long posixMaxMessages, long posixMaxMessageSize, long posixDefaultMessages,
                       long posixDefaultMessageSize, long posixMaxQueues, long sysvMaxMessageSize,
                       long sysvMaxQueueBytes) {
    static final String MSG_MAX = "/proc/sys/fs/mqueue/msg_max";
    static final String MSGSIZE_MAX = "/proc/sys/fs/mqueue/msgsize_max";
    static final String MSGMAX = "/proc/sys/kernel/msgmax";

    /**
     * The limits in force now; -1 for one that cannot be read.
     *
     * @return the limits in force now
     */
    public static MqLimits current() {
        return new MqLimits(read(MSG_MAX), read(MSGSIZE_MAX), read("/proc/sys/fs/mqueue/msg_default"),
                read("/proc/sys/fs/mqueue/msgsize_default"), read("/proc/sys/fs/mqueue/queues_max"),
                read(MSGMAX), read("/proc/sys/kernel/msgmnb"));
    }

    private static long read(String path) {
        return Sysctl.readLong(path).orElse(-1);
    }
}
