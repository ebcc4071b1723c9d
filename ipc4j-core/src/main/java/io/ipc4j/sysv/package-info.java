/**
 * What the System V mechanisms share: {@link io.ipc4j.sysv.SysVKey}, how unrelated processes name the same queue
 * (io.ipc4j.mq), segment (io.ipc4j.shm) or semaphore set (io.ipc4j.sync). Immutable values, thread-safe;
 * {@link io.ipc4j.sysv.SysVKey#ftok} makes one stat call and never waits.
 */
package io.ipc4j.sysv;
