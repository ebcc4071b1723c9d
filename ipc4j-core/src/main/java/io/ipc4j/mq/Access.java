package io.ipc4j.mq;

/** Which directions a queue is opened for. */
public enum Access {
    /** O_RDONLY: receive only. */
    READ_ONLY(0),
    /** O_WRONLY: send only. */
    WRITE_ONLY(1),
    /** O_RDWR: both. */
    READ_WRITE(2);

    final int flags;

    Access(int flags) {
        this.flags = flags;
    }
}
