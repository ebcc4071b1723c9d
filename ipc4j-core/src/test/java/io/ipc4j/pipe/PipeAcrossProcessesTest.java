package io.ipc4j.pipe;

import io.ipc4j.testing.ChildJvm;
import io.ipc4j.testing.IpcLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Anonymous pipes between this JVM and child JVMs that inherit one end through Spawn. */
class PipeAcrossProcessesTest {
    @RegisterExtension
    static final IpcLeakCheck LEAKS = new IpcLeakCheck();

    private static final Duration LIMIT = ChildJvm.DEFAULT_TIMEOUT;

    @Test
    void readerSeesEndOfStreamWhenTheWriterIsKilled() throws Exception {
        try (Pipe pipe = Pipe.open();
             ChildJvm.Running child = ChildJvm.of(PipeChildren.WriteThenHang.class)
                     .inherit(pipe.writer(), 3).start()) {
            pipe.writer().close(); // only the child holds a writing end now
            ByteBuffer hello = ByteBuffer.allocate(6);
            pipe.reader().readFully(hello, LIMIT);
            assertEquals("hello\n", new String(hello.array(), StandardCharsets.UTF_8));
            child.awaitLine("ready"::equals, LIMIT);

            child.process().kill();

            assertEquals(-1, pipe.reader().read(ByteBuffer.allocate(1), LIMIT));
            assertEquals("killed by SIGKILL", child.process().waitFor(LIMIT).toString());
        }
    }

    @Test
    void twoHundredFiftySixMebibytesArriveByteExact() throws Exception {
        int mebibytes = 256;
        try (Pipe pipe = Pipe.open();
             ChildJvm.Running child = ChildJvm.of(PipeChildren.Stream.class, String.valueOf(mebibytes))
                     .fullJit().inherit(pipe.writer(), 3).start()) {
            pipe.writer().close();
            CRC32C crc = new CRC32C();
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            long received = 0;
            int n;
            while ((n = pipe.reader().read(buffer.clear(), LIMIT)) >= 0) {
                buffer.flip();
                crc.update(buffer);
                received += n;
            }
            ChildJvm.Result result = child.finish(LIMIT);
            assertEquals(0, result.status().code(), result.describe());
            assertEquals("bytes=" + ((long) mebibytes << 20) + " crc=" + Long.toHexString(crc.getValue()),
                    result.stdout().strip());
            assertEquals((long) mebibytes << 20, received);
        }
    }
}
