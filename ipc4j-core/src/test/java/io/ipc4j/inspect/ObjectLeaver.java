package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.process.Spawn;
import io.ipc4j.sync.PosixSemaphore;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child that leaves objects behind and exits, as a crashed program would: a System V queue and a POSIX queue
 * each holding messages, a POSIX semaphore, and a plain file in /dev/shm. Prints their names.
 */
final class ObjectLeaver {
    private ObjectLeaver() {
    }

    public static void main(String[] args) throws Exception {
        int pid = Spawn.currentPid();
        SysVMessageQueue sysv = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        sysv.send(1, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        sysv.send(1, ByteBuffer.wrap(new byte[] {4, 5}));
        String posix = "/ipc4j-leaver-mq-" + pid;
        try (PosixMessageQueue q = PosixMessageQueue.create(posix).open()) {
            q.send(ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), 0);
        }
        String sem = "/ipc4j-leaver-sem-" + pid;
        PosixSemaphore.create(sem, 0).close();
        String file = "/ipc4j-leaver-file-" + pid;
        Files.writeString(Path.of("/dev/shm", file.substring(1)), "someone's notes, not an IPC object");
        System.out.println("names " + sysv.id() + " " + posix + " " + sem + " " + file);
    }
}
