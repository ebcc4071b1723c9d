package io.ipc4j.cli;

import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;

import java.nio.ByteBuffer;

/**
 * A child that creates two System V queues anyone may use (mode 0666), sends and receives one message on each
 * (so the kernel records it), and exits with them empty: left behind by a dead owner. Prints their ids.
 */
final class SysVQueueLeaver {
    private SysVQueueLeaver() {
    }

    public static void main(String[] args) throws Exception {
        StringBuilder ids = new StringBuilder("ids");
        for (int i = 0; i < 2; i++) {
            SysVMessageQueue q = SysVMessageQueue.create(SysVKey.PRIVATE, 0666);
            q.send(1, ByteBuffer.wrap(new byte[] {1}));
            q.receive(ByteBuffer.allocate(16), 0);
            ids.append(' ').append(q.id());
        }
        System.out.println(ids);
    }
}
