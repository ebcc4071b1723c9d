package io.ipc4j.process;

import io.ipc4j.signal.Signal;

/**
 * How a child process ended: it exited with a code, or a signal killed it.
 *
 * @param code   the exit code (0-255) if it exited, else -1.
 * @param signal the signal that killed it, else 0.
 */
public record ExitStatus(int code, int signal) {

    /** Decodes a wait(2) status. */
    static ExitStatus fromWaitStatus(int status) {
        int termination = status & 0x7f;
        return termination == 0 ? new ExitStatus((status >> 8) & 0xff, 0) : new ExitStatus(-1, termination);
    }

    /**
     * Whether it exited by itself (rather than being killed by a signal).
     *
     * @return whether it exited by itself
     */
    public boolean exited() {
        return signal == 0;
    }

    /**
     * Exited with code 0.
     *
     * @return whether the process exited with code 0
     */
    public boolean succeeded() {
        return signal == 0 && code == 0;
    }

    /**
     * The shell's $? for this status: the exit code, or 128 + the signal number.
     *
     * @return the shell's $? for this status: the exit code, or 128 + the signal number
     */
    public int shellCode() {
        return signal == 0 ? code : 128 + signal;
    }

    @Override
    public String toString() {
        return signal == 0 ? "exit " + code : "killed by " + Signal.nameOf(signal);
    }
}
