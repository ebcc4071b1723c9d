package io.ipc4j.kv;

import java.io.IOException;

/**
 * The append-only file is damaged before its end, or an RDB snapshot cannot be loaded, so the server does not
 * start on part of the data. The message names the file, the offset and how to repair it.
 */
public final class CorruptLogException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptLogException(String message) {
        super(message);
    }
}
