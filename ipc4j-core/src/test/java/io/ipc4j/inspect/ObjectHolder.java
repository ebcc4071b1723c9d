package io.ipc4j.inspect;

import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.sysv.SysVKey;
import io.ipc4j.mq.SysVMessageQueue;
import io.ipc4j.pipe.Fifo;
import io.ipc4j.pipe.PipeReader;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.shm.SysVSharedMemory;
import io.ipc4j.sync.PosixSemaphore;
import io.ipc4j.sync.SemOp;
import io.ipc4j.sync.SysVSemaphoreSet;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process that creates one object of every kind, uses each (so the kernel records it), holds them,
 * and waits to be killed. args: a directory for its FIFO. Prints "names ..." and then "ready ...".
 */
final class ObjectHolder {
    private ObjectHolder() {
    }

    public static void main(String[] args) throws Exception {
        int pid = Spawn.currentPid();
        String mq = "/ipc4j-holder-mq-" + pid;
        String shm = "/ipc4j-holder-shm-" + pid;
        String sem = "/ipc4j-holder-sem-" + pid;
        SysVMessageQueue queue = SysVMessageQueue.create(SysVKey.PRIVATE, 0600);
        queue.send(1, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        SysVSharedMemory segment = SysVSharedMemory.create(SysVKey.PRIVATE, 4096, 0600);
        SysVSharedMemory.Attachment attachment = segment.attach();
        SysVSemaphoreSet set = SysVSemaphoreSet.create(SysVKey.PRIVATE, 0600, 1);
        set.operate(SemOp.add(0, 1));
        PosixMessageQueue posixQueue = PosixMessageQueue.create(mq).open();
        SharedMemory posixShm = SharedMemory.create(shm, 8192);
        PosixSemaphore posixSem = PosixSemaphore.create(sem, 0);
        Fifo fifo = Fifo.create(Path.of(args[0], "holder.fifo"));
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        System.out.println("names " + queue.id() + " " + segment.id() + " " + set.id() + " " + mq + " " + shm + " "
                + sem + " " + fifo.path() + " " + ((InetSocketAddress) server.getLocalAddress()).getPort());
        PipeReader fifoReader = fifo.openReader(Duration.ofSeconds(60));
        SocketChannel connection = server.accept();
        System.out.println("ready");
        Thread.sleep(Duration.ofMinutes(5));
        // Never reached: the test kills this process with everything held, as a crash would.
        System.out.println(attachment + " " + posixQueue + " " + posixShm + " " + posixSem + " " + fifoReader + " "
                + connection);
    }
}
