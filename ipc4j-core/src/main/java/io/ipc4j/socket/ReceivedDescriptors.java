package io.ipc4j.socket;

import java.util.List;

/**
 * What {@link NativeSocket#receiveDescriptors} got: the number of data bytes (-1 at end of stream) and the
 * descriptors that came with them, in the order they were sent. Closing this closes every descriptor not
 * yet converted or closed.
 *
 * @param bytes the bytes
 * @param descriptors the descriptors to pass
 */
public record ReceivedDescriptors(int bytes, List<PassedDescriptor> descriptors) implements AutoCloseable {
    /** Keeps the descriptors in arrival order. */
    public ReceivedDescriptors {
        descriptors = List.copyOf(descriptors);
    }

    @Override
    public void close() {
        descriptors.forEach(PassedDescriptor::close);
    }
}
