package io.ipc4j;

/**
 * ipc4j was used on a platform it does not support. It supports Linux with glibc on x86-64 and on aarch64;
 * anywhere else (another operating system, architecture or C library, such as musl) every native call
 * throws this at first use, naming the platform found and the ones supported, instead of making a call
 * whose number or layout could be wrong there.
 */
public class UnsupportedPlatformException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    /**
     * The exception for the platform described in {@code message}.
     *
     * @param message the platform found and the platforms supported.
     */
    public UnsupportedPlatformException(String message) {
        super(message);
    }
}
