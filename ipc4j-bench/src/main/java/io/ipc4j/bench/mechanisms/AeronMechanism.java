package io.ipc4j.bench.mechanisms;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.process.Spawn;
import io.ipc4j.signal.GracefulShutdown;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The other reference for ipc4j's channel: Aeron IPC, the fastest Java IPC in wide use. The parent embeds a media
 * driver; each process publishes on an {@code aeron:ipc} stream with an exclusive publication (one writer, as
 * each side here is) and subscribes to the other's, both busy-spinning, as Aeron users run IPC. Messages longer
 * than the MTU are fragmented by the publication and put back together by a {@link FragmentAssembler}.
 *
 * <p>Aeron's defaults (64 MiB terms, a 1,408-byte MTU) except for the driver's thread: one (SHARED mode), and
 * busy-spinning, as Aeron's low-latency setups run it. It is not on the data path of IPC, but it moves each
 * publication's limit on as the subscriber reads (so a stream longer than half a term waits for it), and its
 * duty cycle going to sleep tripled the round trip here (2-vCPU EPYC VM, 2026-12-02, 64 B p50 0.66 µs with
 * Aeron's back-off or a 1 ms sleep, 0.20 µs spinning; 4 KiB 2.5 against 0.7; 16 MiB terms halved the
 * streams). On a machine with two CPUs it shares one with the parent's measuring thread, as it would with the
 * application's thread in a deployment with a core short.
 */
public final class AeronMechanism implements Mechanism {
    private static final int DOWN_STREAM = 1001;
    private static final int UP_STREAM = 1002;
    private static final String CHANNEL = "aeron:ipc";

    @Override
    public String id() {
        return "aeron-ipc";
    }

    @Override
    public int planScale() {
        return Mechanism.SPINNING_PLAN_SCALE;
    }

    @Override
    public String title() {
        return "Aeron IPC, embedded driver, busy-spin";
    }

    @Override
    public Optional<String> unavailableBecause() {
        return PeerSpin.unavailableOnOneCpu();
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        // Aeron's own default place: its files are memory, not a disk's page cache written back
        File directory = new File("/dev/shm", "ipc4j-bench-aeron-" + Spawn.currentPid());
        GracefulShutdown.Guard onSignal = GracefulShutdown.install().whileOpen("delete " + directory,
                () -> IoUtil.delete(directory, true));
        MediaDriver driver = null;
        Aeron aeron = null;
        try {
            driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(directory.getPath())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BusySpinIdleStrategy()));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory.getPath()));
            return new AeronSession(directory, onSignal, driver, aeron, new AeronEndpoint(aeron, DOWN_STREAM,
                    UP_STREAM));
        } catch (RuntimeException e) { // Aeron reports failures unchecked: leave nothing behind
            new AeronSession(directory, onSignal, driver, aeron, null).close();
            throw new IOException("Aeron's embedded driver did not start: " + e.getMessage(), e);
        }
    }

    /** The parent's driver, client and endpoint; closing removes the driver's directory. */
    private record AeronSession(File directory, GracefulShutdown.Guard onSignal, MediaDriver driver, Aeron aeron,
                                AeronEndpoint endpoint) implements Session {
        @Override
        public List<String> childArguments() {
            return List.of(directory.getPath());
        }

        @Override
        public Endpoint parentEndpoint() throws IOException {
            endpoint.awaitPeer();
            return endpoint;
        }

        @Override
        public void close() {
            try {
                if (aeron != null) {
                    aeron.close();
                }
            } finally {
                try {
                    if (driver != null) {
                        driver.close();
                    }
                } finally {
                    IoUtil.delete(directory, true);
                    onSignal.close();
                }
            }
        }
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(arguments.getFirst()));
        AeronEndpoint endpoint = new AeronEndpoint(aeron, UP_STREAM, DOWN_STREAM);
        endpoint.awaitPeer();
        return endpoint;
    }

    /** One process's side: its Aeron client, its publication and its subscription. */
    private static final class AeronEndpoint implements Endpoint, FragmentHandler {
        private final Aeron aeron;
        private final ExclusivePublication out;
        private final Subscription in;
        private final FragmentAssembler assembler = new FragmentAssembler(this);
        private final UnsafeBuffer source = new UnsafeBuffer(0, 0);
        private ByteBuffer target;
        private boolean received;

        AeronEndpoint(Aeron aeron, int outStream, int inStream) {
            this.aeron = aeron;
            this.out = aeron.addExclusivePublication(CHANNEL, outStream);
            this.in = aeron.addSubscription(CHANNEL, inStream);
        }

        /** Waits until the peer subscribes to this side's stream and publishes on the other. */
        void awaitPeer() throws IOException {
            long start = 0;
            while (!out.isConnected() || !in.isConnected()) {
                start = PeerSpin.turn(start);
            }
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            int length = message.remaining();
            source.wrap(message, message.position(), length);
            long start = 0;
            long result;
            while ((result = out.offer(source, 0, length)) < 0) {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IOException("Aeron offer: " + Publication.errorString(result));
                }
                start = PeerSpin.turn(start); // back-pressured, or the driver's admin action: try again
            }
            message.position(message.limit());
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            target = into;
            received = false;
            long start = 0;
            while (!received) {
                if (in.poll(assembler, 1) == 0) {
                    start = PeerSpin.turn(start);
                }
            }
        }

        /** A whole message, put back together if it was fragmented. */
        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            buffer.getBytes(offset, target, target.position(), length);
            target.position(target.position() + length);
            received = true;
        }

        @Override
        public void close() {
            aeron.close();
        }
    }
}
