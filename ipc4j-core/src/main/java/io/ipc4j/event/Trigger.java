package io.ipc4j.event;

/** When a loop reports a ready object again. */
public enum Trigger {
    /**
     * While it is ready: an object not drained is reported again at the next select. The forgiving choice, and
     * the JDK Selector's.
     */
    LEVEL,
    /**
     * When it becomes ready: reported once per change, so the handler must read (or write) until the call
     * would block ("Now" forms return nothing), or it may wait forever. Fewer wake-ups under load (netty's
     * default).
     */
    EDGE
}
