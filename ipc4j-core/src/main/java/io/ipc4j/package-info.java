/**
 * What every package shares: {@link io.ipc4j.NativeDescriptor} (an object backed by a descriptor), {@link
 * io.ipc4j.sysv.SysVKey} (System V keys), and the exceptions, each naming the call, the object and the symbolic errno.
 * Plain values and exception types: thread-safe, nothing here blocks.
 */
package io.ipc4j;
