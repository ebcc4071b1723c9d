package io.ipc4j.bench.jmh;

import io.ipc4j.channel.RingReceiver;
import io.ipc4j.channel.OneToOneChannel;
import io.ipc4j.channel.ChannelFormatException;
import io.ipc4j.channel.IdleStrategy;
import io.ipc4j.mq.PosixMessageQueue;
import io.ipc4j.pipe.Pipe;
import io.ipc4j.process.Spawn;
import io.ipc4j.shm.SharedMemory;
import io.ipc4j.sync.Futex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The cost of ipc4j's native boundary on its hot paths, in one thread (no peer, no wake-ups): what a call
 * costs on top of the system call it makes, and the shared-memory channel's offer/receive, which makes none.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class HotPaths {
    private Pipe pipe;
    private ByteBuffer out;
    private ByteBuffer in;
    private PosixMessageQueue queue;
    private SharedMemory shm;
    private String queueName;
    private String shmName;
    private OneToOneChannel channel;
    private OneToOneChannel.Sender sender;
    private RingReceiver receiver;
    private String channelName;
    private OneToOneChannel bigChannel;
    private OneToOneChannel.Sender bigSender;
    private RingReceiver bigReceiver;
    private String bigChannelName;
    private ByteBuffer bigOut;
    private ByteBuffer bigIn;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        pipe = Pipe.open();
        out = ByteBuffer.allocateDirect(64);
        in = ByteBuffer.allocateDirect(64);
        queueName = "/ipc4j-jmh-" + Spawn.currentPid();
        queue = PosixMessageQueue.create(queueName).maxMessages(1).messageSize(64).open();
        shmName = "/ipc4j-jmh-shm-" + Spawn.currentPid();
        shm = SharedMemory.create(shmName, 4096);
        channelName = "/ipc4j-jmh-channel-" + Spawn.currentPid();
        channel = OneToOneChannel.create(channelName, 1 << 16);
        sender = channel.sender();
        receiver = channel.receiver().idleStrategy(IdleStrategy.busySpin());
        bigChannelName = "/ipc4j-jmh-big-channel-" + Spawn.currentPid();
        bigChannel = OneToOneChannel.create(bigChannelName, 1 << 20);
        bigSender = bigChannel.sender();
        bigReceiver = bigChannel.receiver().idleStrategy(IdleStrategy.busySpin());
        bigOut = ByteBuffer.allocateDirect(65536);
        bigIn = ByteBuffer.allocateDirect(65536);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        pipe.close();
        queue.close();
        PosixMessageQueue.unlink(queueName);
        shm.close();
        SharedMemory.unlink(shmName);
        channel.close();
        OneToOneChannel.unlink(channelName);
        bigChannel.close();
        OneToOneChannel.unlink(bigChannelName);
    }

    /** The channel's offer then receive of a 64-byte message, in one thread: no system call at all. */
    @Benchmark
    public int channelOfferThenReceive64() throws ChannelFormatException {
        sender.offer(1, out.clear());
        return receiver.receiveNow(in.clear());
    }

    /**
     * The same with 64 KiB messages, which the channel copies with the C library's memmove (from 3 KiB on: the
     * JVM's copy stub was 1.36x slower at this size here, and stalls on lines another CPU holds).
     */
    @Benchmark
    public int channelOfferThenReceive64K() throws ChannelFormatException {
        bigSender.offer(1, bigOut.clear());
        return bigReceiver.receiveNow(bigIn.clear());
    }

    /** The smallest downcall: getpid through FFM. */
    @Benchmark
    public int downcallGetpid() {
        return Spawn.currentPid();
    }

    /** 64 bytes through a pipe and back out, in one thread: two system calls. */
    @Benchmark
    public int pipeWriteThenRead64() throws IOException {
        pipe.writer().writeNow(out.clear());
        return pipe.reader().readNow(in.clear());
    }

    /**
     * The same with the untimed calls, which a platform thread makes as blocking write(2) and read(2) (the pipe
     * is never full or empty here, so neither waits): what the direct path costs on top of them.
     */
    @Benchmark
    public int pipeWriteThenReadUntimed64() throws IOException {
        pipe.writer().write(out.clear());
        return pipe.reader().read(in.clear());
    }

    /** One POSIX queue message sent and received in one thread: two system calls. */
    @Benchmark
    public int posixQueueSendThenReceive64() throws IOException {
        queue.trySend(out.clear(), 1);
        return queue.tryReceive(in.clear());
    }

    /** A compare-and-set on shared memory (no system call). */
    @Benchmark
    public boolean sharedCompareAndSet() {
        long v = shm.buffer().getLongVolatile(64);
        return shm.buffer().compareAndSetLong(64, v, v + 1);
    }

    /** FUTEX_WAKE with nobody waiting: the cost a sender pays when it wakes needlessly. */
    @Benchmark
    public int futexWakeWithNoWaiter() throws IOException {
        return Futex.wake(shm.segment(), 0, 1);
    }
}
