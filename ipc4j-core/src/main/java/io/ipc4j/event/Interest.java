package io.ipc4j.event;

import io.ipc4j.internal.posix.EpollCalls;

/** What a {@link Registration} waits for. A hang-up or an error is reported whatever the interest. */
public enum Interest {
    /**
     * Nothing for now: the object stays registered but is taken out of the kernel's set (as the JDK's Selector
     * does with no interest ops), so a hang-up is not reported over and over while the handler is not
     * reading. Set another interest to resume.
     */
    NONE(0),
    /** Data to read, a connection to accept, a message to receive, a count to take, a child's exit. */
    READ(EpollCalls.EPOLLIN | EpollCalls.EPOLLRDHUP),
    /** Room to write or send. */
    WRITE(EpollCalls.EPOLLOUT),
    /** Either. */
    READ_WRITE(EpollCalls.EPOLLIN | EpollCalls.EPOLLRDHUP | EpollCalls.EPOLLOUT);

    final int events;

    Interest(int events) {
        this.events = events;
    }
}
