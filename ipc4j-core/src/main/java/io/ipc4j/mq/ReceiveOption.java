package io.ipc4j.mq;

/** Options of a System V receive. */
public enum ReceiveOption {
    /** MSG_NOERROR: a message longer than the buffer is truncated to fit (the rest is lost) instead of kept. */
    TRUNCATE,
    /** MSG_EXCEPT: with a positive type, receive the first message of any other type. */
    EXCEPT_TYPE
}
