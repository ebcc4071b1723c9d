/**
 * Cross-process synchronisation: POSIX and System V semaphores, futexes, and a robust mutex that survives its
 * owner's death. Thread-safe; every wait has a timeout form; the waits are native (sem_clockwait, semop, futex)
 * and hold a virtual thread's carrier while they wait, which each class's documentation states.
 */
package io.ipc4j.sync;
