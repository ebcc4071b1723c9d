/**
 * POSIX and System V message queues: create, open, send and receive with priorities or types, attributes,
 * limits, removal. Thread-safe (sends serialised, receives serialised); every blocking call has a timeout form;
 * a POSIX queue waits in poll (a virtual thread parks), a System V queue in the kernel (untimed: holds the
 * carrier) or by retrying (timed).
 */
package io.ipc4j.mq;
