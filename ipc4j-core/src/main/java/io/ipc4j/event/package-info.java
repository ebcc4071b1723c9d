/**
 * One epoll loop over every descriptor-backed ipc4j object, with timers and a wake-up from any thread; {@link
 * io.ipc4j.event.EventFd} and {@link io.ipc4j.event.TimerFd}. Registering, cancelling, waking and closing work
 * from any thread; selecting belongs to one thread at a time, and handlers run on it. Every wait has a timeout;
 * a virtual thread parks instead of holding its carrier.
 */
package io.ipc4j.event;
