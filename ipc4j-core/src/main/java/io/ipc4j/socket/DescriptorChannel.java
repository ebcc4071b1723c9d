package io.ipc4j.socket;

import io.ipc4j.internal.posix.Deadline;
import io.ipc4j.internal.posix.Posix;

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
                long n = Posix.read(fd, scratch, room, description);
                if (n == Posix.UNAVAILABLE) {
                    handle.awaitReady(Posix.POLLIN, Deadline.FOREVER, description);
                    continue;
                }
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
                long written = Posix.write(fd, scratch, n, description);
                if (written == Posix.UNAVAILABLE) {
                    handle.awaitReady(Posix.POLLOUT, Deadline.FOREVER, description);
                    continue;
                }
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
