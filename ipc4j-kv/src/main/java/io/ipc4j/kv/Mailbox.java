package io.ipc4j.kv;

/**
 * How the store reaches a client owned by an event loop: messages and served replies go to the client
 * through its loop, which writes them out with the client's own replies. Called under the store lock, from
 * any loop's thread.
 */
interface Mailbox {
    /**
     * Queues {@code frame} (encoded RESP) for the client; {@code resume} also lets a client that was blocked go
     * on with its further requests.
     */
    void deliver(Client client, byte[] frame, boolean resume);

    /** The client blocked: its loop must end the wait when the deadline passes (0: never). */
    void blockedUntil(Client client, Blocking.Wait wait);

    /** Closes the client (CLIENT KILL) once what is queued for it is written. */
    void kill(Client client);
}
