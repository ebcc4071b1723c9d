package io.ipc4j.socket;

import java.util.List;

/**
 * What {@link NativeSocket#receiveDescriptors} got: the number of data bytes (-1 at end of stream) and the
 * descriptors that came with them, in the order they were sent. Closing this closes every descriptor not
 * yet converted or closed.
 */
public record ReceivedDescriptors(int bytes, List<PassedDescriptor> descriptors) implements AutoCloseable {
    public ReceivedDescriptors {
        descriptors = List.copyOf(descriptors);
    }

    @Override
    public void close() {
        descriptors.forEach(PassedDescriptor::close);
    }
}
