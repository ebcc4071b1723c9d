package io.ipc4j.socket;

import io.ipc4j.internal.posix.Errno;
import io.ipc4j.internal.posix.FileCalls;
import io.ipc4j.internal.posix.Failures;
import io.ipc4j.internal.wait.Deadline;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.locks.ReentrantLock;

/** A byte channel over any descriptor: read(2)/write(2), waiting in poll(2) when it is non-blocking. */
final class DescriptorChannel extends DescriptorOwner implements ByteChannel {
    private final String description;
    private final ReentrantLock lock = new ReentrantLock();
    private final MemorySegment scratch = Arena.ofAuto().allocate(NativeSocket.SCRATCH_BYTES);

    DescriptorChannel(int fd, String description) {
        super(fd);
        this.description = description;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        lock.lock();
        int fd = handle.begin();
        try {
            int room = Math.min(dst.remaining(), NativeSocket.SCRATCH_BYTES);
            while (true) {
                long n = FileCalls.read(fd, scratch, room);
                if (n == -Errno.EAGAIN) {
                    handle.awaitReady(FileCalls.POLLIN, Deadline.FOREVER, description);
                    continue;
                }
                Failures.check(n, "read", description);
                if (n == 0 && room > 0) {
                    return -1;
                }
                MemorySegment.copy(scratch, 0, MemorySegment.ofBuffer(dst), 0, n);
                dst.position(dst.position() + (int) n);
                return (int) n;
            }
        } finally {
            handle.end();
            lock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int total = src.remaining();
        lock.lock();
        int fd = handle.begin();
        try {
            while (src.hasRemaining()) {
                int n = Math.min(src.remaining(), NativeSocket.SCRATCH_BYTES);
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, scratch, 0, n);
                long written = FileCalls.write(fd, scratch, n);
                if (written == -Errno.EAGAIN) {
                    handle.awaitReady(FileCalls.POLLOUT, Deadline.FOREVER, description);
                    continue;
                }
                Failures.check(written, "write", description);
                src.position(src.position() + (int) written);
            }
            return total;
        } finally {
            handle.end();
            lock.unlock();
        }
    }


    @Override
    public String toString() {
        return description;
    }
}
