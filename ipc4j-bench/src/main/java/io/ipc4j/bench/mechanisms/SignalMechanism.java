package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.signal.QueuedSignal;
import io.ipc4j.signal.Signal;
import io.ipc4j.signal.ThreadSignalReceiver;
import io.ipc4j.signal.Signals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A queued real-time signal each way (SIGRTMIN+1 with an int value), taken by the measuring thread itself with
 * ipc4j's ThreadSignalReceiver (a signalfd of its own), against C's sigqueue + sigwaitinfo. No payload beyond the int.
 */
public final class SignalMechanism implements Mechanism {
    private static final Signal SIGNAL = Signal.realtime(1);
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Override
    public String id() {
        return "signal";
    }

    @Override
    public String title() {
        return "queued RT signal";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        ThreadSignalReceiver receiver = ThreadSignalReceiver.open(SIGNAL);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of(String.valueOf(ProcessHandle.current().pid()));
            }

            @Override
            public Endpoint parentEndpoint() throws IOException {
                QueuedSignal hello = receiver.receive(LIMIT); // the child's receiver is open
                return new SignalEndpoint(Signals.target(hello.senderPid(), SIGNAL), receiver);
            }

            @Override
            public void close() {
                receiver.close();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        ThreadSignalReceiver receiver = ThreadSignalReceiver.open(SIGNAL);
        Signals.Target parent = Signals.target(Long.parseLong(arguments.get(0)), SIGNAL);
        parent.queue(0);
        return new SignalEndpoint(parent, receiver);
    }

    private static final class SignalEndpoint implements Endpoint {
        private final Signals.Target peer;
        private final ThreadSignalReceiver receiver;
        private int sent;

        SignalEndpoint(Signals.Target peer, ThreadSignalReceiver receiver) {
            this.peer = peer;
            this.receiver = receiver;
        }

        @Override
        public void send(ByteBuffer message) throws IOException {
            if (!peer.queue(++sent)) {
                throw new IOException("the peer process is gone");
            }
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            receiver.receive(); // untimed, as the C reference's sigwaitinfo (a dead peer: see PeerWatch)
        }

        @Override
        public void close() {
            receiver.close();
        }
    }
}
