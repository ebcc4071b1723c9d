/**
 * The native layer (not exported): every downcall, one class per topic (FileCalls, ProcessCalls,
 * SocketCalls, MessageQueueCalls, MemoryCalls, SyncCalls, SignalCalls, EventCalls, EpollCalls), struct layouts
 * and per-architecture tables, and the errno boundary ({@link io.ipc4j.internal.posix.Failures}).
 * <p>One contract: every binding returns its result or -errno and never throws for a failed call. EINTR is
 * retried inside, except by waits given a relative timeout (poll, epoll_wait, futex, semtimedop), which return
 * it so that the caller recomputes what is left, and by close, which is never retried (Linux releases the
 * descriptor anyway). The public packages turn -errno into exceptions through Failures. Bindings are
 * thread-safe (errno is captured per thread) and block only where the C call does.
 */
package io.ipc4j.internal.posix;
