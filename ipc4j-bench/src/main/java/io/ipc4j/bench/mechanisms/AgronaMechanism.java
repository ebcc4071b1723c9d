package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The reference for ipc4j's channel: Agrona's OneToOneRingBuffer over a memory-mapped file, one each way,
 * both sides busy-spinning, as Aeron and Agrona users run it.
 */
public final class AgronaMechanism implements Mechanism {
    private static final int CAPACITY = 1 << 20;

    @Override
    public String id() {
        return "agrona-ring";
    }

    @Override
    public int planScale() {
        return Mechanism.SPINNING_PLAN_SCALE;
    }

    @Override
    public String title() {
        return "Agrona OneToOneRingBuffer, busy-spin";
    }

    @Override
    public Optional<String> unavailableBecause() {
        return PeerSpin.unavailableOnOneCpu();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        Path down = workDirectory.resolve("agrona-down");
        Path up = workDirectory.resolve("agrona-up");
        Ring parentIn = Ring.map(up);
        Ring parentOut = Ring.map(down);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(down.toString(), up.toString());
            }

            @Override
            public Endpoint parentEndpoint() {
                return new RingEndpoint(parentIn, parentOut);
            }

            @Override
            public void close() throws IOException {
                Files.deleteIfExists(down);
                Files.deleteIfExists(up);
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new RingEndpoint(Ring.map(Path.of(arguments.get(0))), Ring.map(Path.of(arguments.get(1))));
    }

    /** One ring buffer in a file, mapped. */
    private record Ring(OneToOneRingBuffer buffer) {
        static Ring map(Path file) throws IOException {
            int length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
                return new Ring(new OneToOneRingBuffer(new UnsafeBuffer(mapped)));
            }
        }
    }

    private static final class RingEndpoint implements Endpoint {
        private final OneToOneRingBuffer in;
        private final OneToOneRingBuffer out;
        private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
        private ByteBuffer target;

        RingEndpoint(Ring in, Ring out) {
            this.in = in.buffer();
            this.out = out.buffer();
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            int length = message.remaining();
            source.wrap(message, message.position(), length);
            long start = 0;
            while (!out.write(1, source, 0, length)) {
                start = PeerSpin.turn(start);
            }
            message.position(message.limit());
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            target = into;
            long start = 0;
            while (in.read((type, buffer, index, length) -> {
                buffer.getBytes(index, target, target.position(), length);
                target.position(target.position() + length);
            }, 1) == 0) {
                start = PeerSpin.turn(start);
            }
        }

        @Override
        public void close() {
        }
    }
}
