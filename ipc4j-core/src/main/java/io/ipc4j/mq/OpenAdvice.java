package io.ipc4j.mq;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.proc.Sysctl;

/** What to tell someone whose mq_open failed. */
final class OpenAdvice {
    private OpenAdvice() {
    }

    static String of(int errno, boolean create, int maxMessages, int messageSize) {
        return switch (errno) {
            case Errno.EINVAL -> create ? limits(maxMessages, messageSize) : null;
            case Errno.ENOENT -> "no queue has this name: create it first, or check the name";
            case Errno.EEXIST -> "the queue exists and exclusive creation was asked for";
            case Errno.ENOSPC -> "the machine's limit on queues is reached: fs.mqueue.queues_max = "
                    + Sysctl.read("/proc/sys/fs/mqueue/queues_max").orElse("?")
                    + " (/proc/sys/fs/mqueue/queues_max); remove unused queues";
            case Errno.EMFILE -> "RLIMIT_MSGQUEUE (ulimit -q) or the open-descriptor limit is reached: queues of this"
                    + " user hold too many bytes; remove unused queues or raise ulimit -q";
            default -> null;
        };
    }

    private static String limits(int maxMessages, int messageSize) {
        long msgMax = Sysctl.readLong(MqLimits.MSG_MAX).orElse(-1);
        long msgSizeMax = Sysctl.readLong(MqLimits.MSGSIZE_MAX).orElse(-1);
        if (msgMax >= 0 && maxMessages > msgMax) {
            return "maxMessages " + maxMessages + " is above this machine's limit fs.mqueue.msg_max = " + msgMax
                    + " (" + MqLimits.MSG_MAX + "; raising it needs CAP_SYS_RESOURCE: sysctl -w fs.mqueue.msg_max=N)";
        }
        if (msgSizeMax >= 0 && messageSize > msgSizeMax) {
            return "messageSize " + messageSize + " is above this machine's limit fs.mqueue.msgsize_max = "
                    + msgSizeMax + " (" + MqLimits.MSGSIZE_MAX
                    + "; raising it needs CAP_SYS_RESOURCE: sysctl -w fs.mqueue.msgsize_max=N)";
        }
        return "maxMessages " + maxMessages + " or messageSize " + messageSize + " is not accepted";
    }
}
