package io.ipc4j.pipe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Child-process mains for the pipe and FIFO tests, run in child JVMs by the test harness. */
final class PipeChildren {
    private PipeChildren() {
    }

    /** Writes "hello\n" to the pipe inherited as fd 3, says "ready", then waits to be killed. */
    static final class WriteThenHang {
        public static void main(String[] args) throws Exception {
            try (PipeWriter writer = args.length == 0 ? PipeWriter.fromInherited(3)
                    : Fifo.open(Path.of(args[0])).openWriter(Duration.ofSeconds(30))) {
                writer.write("hello\n".getBytes(StandardCharsets.UTF_8));
                System.out.println("ready");
                Thread.sleep(Duration.ofMinutes(5));
            }
        }
    }

    /**
     * Writes {@code args[0]} MiB of seeded random bytes to fd 3 (or to the FIFO {@code args[1]}), then prints
     * "bytes=N crc=C".
     */
    static final class Stream {
        public static void main(String[] args) throws Exception {
            long total = Long.parseLong(args[0]) << 20;
            try (PipeWriter writer = args.length < 2 ? PipeWriter.fromInherited(3)
                    : Fifo.open(Path.of(args[1])).openWriter(Duration.ofSeconds(30))) {
                SplittableRandom random = new SplittableRandom(42);
                CRC32C crc = new CRC32C();
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                for (long sent = 0; sent < total; sent += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip();
                    crc.update(chunk.duplicate());
                    writer.write(chunk, Duration.ofSeconds(60));
                }
                System.out.println("bytes=" + total + " crc=" + Long.toHexString(crc.getValue()));
            }
        }
    }

    /**
     * Opens the FIFO {@code args[0]} for writing and writes {@code args[2]} records of PIPE_BUF bytes, each
     * filled with its writer id {@code args[1]} and sequence number, one write(2) per record.
     */
    static final class RecordWriter {
        public static void main(String[] args) throws Exception {
            byte id = Byte.parseByte(args[1]);
            int records = Integer.parseInt(args[2]);
            try (PipeWriter writer = Fifo.open(Path.of(args[0])).openWriter(Duration.ofSeconds(30))) {
                ByteBuffer record = ByteBuffer.allocateDirect(Pipe.ATOMIC_WRITE_BYTES);
                for (int seq = 0; seq < records; seq++) {
                    record.clear();
                    Records.fill(record, id, seq);
                    record.flip();
                    writer.write(record, Duration.ofSeconds(60));
                }
            }
            System.out.println("wrote " + records);
        }
    }

    /** Tries to create a FIFO at {@code args[0]} and prints the outcome: "ok", or the exception and message. */
    static final class TryCreate {
        public static void main(String[] args) {
            try {
                Fifo.create(Path.of(args[0])).remove();
                System.out.println("ok");
            } catch (IOException e) {
                System.out.println(e.getClass().getSuperclass().getName() + "|" + e.getMessage());
            }
        }
    }

    /** The layout of a PIPE_BUF record: writer id, sequence number, then a fill derived from both. */
    static final class Records {
        private Records() {
        }

        static void fill(ByteBuffer record, byte id, int seq) {
            record.put(id).putInt(seq);
            byte fill = fillByte(id, seq);
            while (record.hasRemaining()) {
                record.put(fill);
            }
        }

        static byte fillByte(byte id, int seq) {
            return (byte) (id * 31 + seq);
        }
    }
}
