package io.ipc4j.bench.mechanisms;

import io.ipc4j.bench.Endpoint;
import io.ipc4j.bench.Mechanism;
import io.ipc4j.event.EventFd;
import io.ipc4j.process.Spawn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Two eventfds, one each way, inherited by the child at fds 3 and 4: a send adds 1, a receive sleeps in read(2)
 * until it can take it, as the C reference's does. A wake-up primitive: no payload.
 */
public final class EventFdMechanism implements Mechanism {
    @Override
    public String id() {
        return "eventfd";
    }

    @Override
    public String title() {
        return "eventfd";
    }

    @Override
    public boolean carriesPayload() {
        return false;
    }

    @Override
    public Session open(Path workDirectory, List<Integer> sizes) throws IOException {
        EventFd down = EventFd.create(0, EventFd.Mode.COUNTER);
        EventFd up = EventFd.create(0, EventFd.Mode.COUNTER);
        return new Session() {
            @Override
            public List<String> childArguments() {
                return List.of();
            }

            @Override
            public void prepare(Spawn child) throws IOException {
                child.inherit(down, 3).inherit(up, 4);
            }

            @Override
            public Endpoint parentEndpoint() {
                return new Doorbells(up, down);
            }

            @Override
            public void close() {
                down.close();
                up.close();
            }
        };
    }

    @Override
    public Endpoint childEndpoint(List<String> arguments) throws IOException {
        return new Doorbells(EventFd.fromInherited(3), EventFd.fromInherited(4));
    }

    private record Doorbells(EventFd in, EventFd out) implements Endpoint {
        @Override
        public void send(ByteBuffer message) throws IOException {
            out.signal(1);
        }

        @Override
        public void receive(ByteBuffer into) throws IOException {
            in.await(); // untimed, as the C reference's blocking read (a dead peer: see PeerWatch)
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
