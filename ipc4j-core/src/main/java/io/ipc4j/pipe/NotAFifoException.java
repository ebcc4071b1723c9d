package io.ipc4j.pipe;

import java.io.Serial;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** Something other than a FIFO is where a FIFO was expected. */
public final class NotAFifoException extends FileSystemException {
    @Serial
    private static final long serialVersionUID = 1L;

    NotAFifoException(Path path, String actually) {
        super(path.toString(), null, "is " + actually + ", not a FIFO: remove it or choose another path");
    }
}
