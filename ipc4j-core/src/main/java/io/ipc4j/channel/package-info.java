/**
 * Shared-memory channels: one-to-one and many-to-one rings and a broadcast log, in POSIX shared memory or any
 * segment, with one vocabulary ({@link io.ipc4j.channel.ChannelSender}, {@link io.ipc4j.channel.ChannelReceiver}).
 * Each sender and receiver is for one thread at a time; waits idle as an {@link io.ipc4j.channel.IdleStrategy}
 * says, always with a timeout; a futex sleep is a native wait that holds a virtual thread's carrier (wait in an
 * event loop through a {@link io.ipc4j.channel.Doorbell} instead).
 */
package io.ipc4j.channel;
