package io.ipc4j.mq;

/**
 * A POSIX queue's attributes (struct mq_attr).
 *
 * @param maxMessages     mq_maxmsg: how many messages it holds.
 * @param messageSize     mq_msgsize: the largest message, in bytes.
 * @param currentMessages mq_curmsgs: how many messages are in it now.
 */
public record PosixQueueAttributes(long maxMessages, long messageSize, long currentMessages) {
}
