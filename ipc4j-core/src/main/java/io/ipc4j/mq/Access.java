package io.ipc4j.mq;

/** Which directions a queue is opened for. */
public enum Access {
    READ_ONLY(0), WRITE_ONLY(1), READ_WRITE(2);

    final int flags;

    Access(int flags) {
        this.flags = flags;
    }
}
